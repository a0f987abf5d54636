using Onshi.Core.Data;

namespace Onshi.Core.Features.Documents;

/// <summary>
/// What the アカウント設定情報 PDF shows: the account whose password was just issued and the temporary password
/// itself. The plain password lives only in this record and the rendered bytes of one response.
/// </summary>
/// <param name="Environment">利用環境.</param>
/// <param name="InstitutionCode">医療機関等コード (10 digits).</param>
/// <param name="InstitutionName">医療機関等名.</param>
/// <param name="UserId">ユーザID.</param>
/// <param name="UserName">ユーザ名.</param>
/// <param name="KindLabel">権限区分 as shown (マスタ, 管理者, 一般, …).</param>
/// <param name="TemporaryPassword">初期パスワード (or a machine account's シークレット), in plain text.</param>
/// <param name="PasswordExpiresAtUtc">パスワード有効期限 (UTC; shown in JST); null when it does not expire (a machine secret).</param>
/// <param name="IssuedAtUtc">発行日時 (UTC; shown in JST).</param>
/// <param name="IssuedByUserId">発行者: the user ID of whoever initialized or registered the account.</param>
/// <param name="Reason">「パスワード初期化」, 「アカウント登録」 or 「シークレットの更新」.</param>
/// <param name="MachineSecret">True for a 連携アプリ用 / Web API用 account's secret (SPEC §12): worded as a シークレット set into the client.</param>
/// <param name="PreviousValidUntilUtc">After a rotation: until when the previous secret still signs in (UTC; shown in JST).</param>
public sealed record AccountSettingsDocument(
    OqsEnvironment Environment,
    string InstitutionCode,
    string InstitutionName,
    string UserId,
    string UserName,
    string KindLabel,
    string TemporaryPassword,
    DateTime? PasswordExpiresAtUtc,
    DateTime IssuedAtUtc,
    string IssuedByUserId,
    string Reason,
    bool MachineSecret = false,
    DateTime? PreviousValidUntilUtc = null)
{
    /// <summary>Redacts the password so a record printed by mistake reveals nothing.</summary>
    public override string ToString() => $"{nameof(AccountSettingsDocument)} {{ UserId = {UserId}, Reason = {Reason} }}";
}

/// <summary>
/// The アカウント設定情報 PDF that 「ダウンロード」 on the OQS password-initialization / registration result
/// screen produces (SPEC §5): the account, its 初期パスワード shown large and one boxed character at a time,
/// its expiry, who issued it and when, and the handling notes.
/// </summary>
public sealed class AccountSettingsPdf : IPdfRenderer<AccountSettingsDocument>
{
    /// <summary>The title printed on the document.</summary>
    public const string Title = "オンライン資格確認等システム アカウント設定情報";

    /// <summary>The handling notes, in print order.</summary>
    public static IReadOnlyList<string> Notes { get; } =
    [
        "※ 重要な情報が記載されていますので、取扱いに注意し大切に保管願います。",
        "※ オンライン資格確認等システムに初回ログイン時、パスワードの変更を行ってください。",
        "※ パスワード有効期限を過ぎると、このパスワードではログインできません。管理者にパスワードの初期化を依頼してください。",
        "※ 初期パスワードの各文字の下に文字の種類（英大：英大文字、英小：英小文字、数字、記号）を表示しています。",
    ];

    /// <summary>The handling notes of a machine account's secret (連携アプリ用, Web API用), in print order.</summary>
    public static IReadOnlyList<string> MachineNotes { get; } =
    [
        "※ 重要な情報が記載されていますので、取扱いに注意し大切に保管願います。",
        "※ このシークレットは、連携アプリケーション（Web API用アカウントの場合はWeb APIを利用するシステム）に、記載のとおり設定してください。初回ログイン時の変更は不要です。",
        "※ シークレットに有効期限はありません。漏えいのおそれがあるときは、管理者にパスワード初期化を依頼してください（それまでのシークレットは直ちに使えなくなります）。",
        "※ シークレットの各文字の下に文字の種類（英大：英大文字、英小：英小文字、数字、記号）を表示しています。",
    ];

    /// <summary>What the 有効期限 row says of a secret that never expires.</summary>
    public const string NoExpiry = "有効期限なし（連携アプリ用・Web API用のシークレットは期限切れになりません）";

    /// <summary>A download file name: アカウント設定情報_{ユーザID}.pdf (user IDs are ASCII letters, digits, _ and -).</summary>
    public static string FileName(AccountSettingsDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return $"アカウント設定情報_{document.UserId}.pdf";
    }

    /// <inheritdoc />
    public byte[] Render(AccountSettingsDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        string environment = JapanTime.EnvironmentLabel(document.Environment);
        using FormPdfWriter pdf = new(Title, document.IssuedAtUtc);
        pdf.Badge(environment);
        pdf.Title(Title);
        pdf.Subtitle($"発行区分：{document.Reason}　　発行日時：{JapanTime.DateTimeText(document.IssuedAtUtc)}");
        pdf.Space(6);
        pdf.Paragraph("下記のとおりアカウントを設定しましたので、お知らせします。");
        pdf.Space(3);
        var expiry = document.PasswordExpiresAtUtc is { } expires ? JapanTime.DateTimeText(expires) : NoExpiry;
        List<TableRow> rows =
        [
            new TableRow("利用環境", environment),
            new TableRow("医療機関等コード", document.InstitutionCode),
            new TableRow("医療機関等名", document.InstitutionName),
            new TableRow("ユーザID", document.UserId),
            new TableRow("ユーザ名", document.UserName),
            new TableRow("権限区分", document.KindLabel),
            new TableRow(document.MachineSecret ? "シークレット" : "初期パスワード", document.TemporaryPassword, Secret: true),
            new TableRow(document.MachineSecret ? "有効期限" : "パスワード有効期限", expiry),
        ];
        if (document.PreviousValidUntilUtc is { } previous)
        {
            rows.Add(new TableRow("旧シークレット", JapanTime.DateTimeText(previous) + "まで有効（それまでに新しいシークレットを設定してください）"));
        }

        rows.Add(new TableRow("発行日時", JapanTime.DateTimeText(document.IssuedAtUtc)));
        rows.Add(new TableRow("発行者", document.IssuedByUserId));
        pdf.KeyValueTable(rows);
        pdf.Space(2);
        pdf.Notes(document.MachineSecret ? MachineNotes : Notes);
        return pdf.Build();
    }
}
