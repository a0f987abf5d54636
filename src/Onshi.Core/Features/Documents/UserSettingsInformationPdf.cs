using Onshi.Core.Data;

namespace Onshi.Core.Features.Documents;

/// <summary>
/// What the portal's ユーザ設定情報 PDF shows (seed P5): the master account and the reset account of one
/// institution in one environment.
/// </summary>
/// <param name="Environment">利用環境.</param>
/// <param name="InstitutionCode">医療機関等コード (10 digits).</param>
/// <param name="InstitutionName">医療機関等名.</param>
/// <param name="UserId">ユーザID of the マスタアカウント.</param>
/// <param name="UserName">ユーザ名 of the マスタアカウント.</param>
/// <param name="Password">The master account's initial password, in plain text.</param>
/// <param name="PasswordExpiresAtUtc">パスワード有効期限 (UTC; shown as a JST date).</param>
/// <param name="ResetUserId">リセット用ユーザID: the マスタアカウントリセット用アカウント.</param>
/// <param name="IssuedAtUtc">When the document was issued (UTC; printed in the footer in JST).</param>
public sealed record UserSettingsInformationDocument(
    OqsEnvironment Environment,
    string InstitutionCode,
    string InstitutionName,
    string UserId,
    string UserName,
    string Password,
    DateTime PasswordExpiresAtUtc,
    string ResetUserId,
    DateTime IssuedAtUtc)
{
    /// <summary>Redacts the password so a record printed by mistake reveals nothing.</summary>
    public override string ToString() => $"{nameof(UserSettingsInformationDocument)} {{ UserId = {UserId}, ResetUserId = {ResetUserId} }}";
}

/// <summary>
/// The 「オンライン資格確認等システムユーザ設定情報」 PDF the portal offers under マスタアカウント情報ダウンロード
/// (SPEC §6, seed P5): exactly the seed's table and warnings, plus which user ID belongs to which account.
/// </summary>
public sealed class UserSettingsInformationPdf : IPdfRenderer<UserSettingsInformationDocument>
{
    /// <summary>The title printed on the document (as the seed writes it, without a space).</summary>
    public const string Title = "オンライン資格確認等システムユーザ設定情報";

    /// <summary>The heading above the table.</summary>
    public const string Heading = "☆オンライン資格確認等システム利用に関する情報";

    /// <summary>The table's labels, in the seed's order.</summary>
    public static IReadOnlyList<string> Labels { get; } =
        ["利用環境", "医療機関等コード", "医療機関等名", "ユーザID", "ユーザ名", "パスワード", "パスワード有効期限", "リセット用ユーザID"];

    /// <summary>The notes, in print order: the seed's two warnings, then where each account's user ID is.</summary>
    public static IReadOnlyList<string> Notes { get; } =
    [
        "※ 重要な情報が記載されていますので、取扱いに注意し大切に保管願います。",
        "※ オンライン資格確認等システムに初回ログイン時、パスワードの変更を行ってください。",
        "※ マスタアカウントのユーザIDは「ユーザID」、マスタアカウントリセット用アカウントのユーザIDは「リセット用ユーザID」に記載しています。",
        "※ マスタアカウントリセット用アカウントのパスワードは、利用申請時に設定いただいた秘密の番号（4桁）です。",
        "※ 初回ログイン後にパスワードを変更いただいた場合、こちらに記載のパスワードではログインできません。",
    ];

    /// <summary>
    /// The attachment's file name on the portal: 本_…pdf for 本番環境 and 接続_…pdf for 接続確認環境
    /// (the seed shows only the 本番 name; the 接続 prefix is our choice, see docs/documents.md).
    /// </summary>
    public static string FileName(OqsEnvironment environment) =>
        (environment == OqsEnvironment.Production ? "本_" : "接続_") + Title + ".pdf";

    /// <inheritdoc />
    public byte[] Render(UserSettingsInformationDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        string environment = JapanTime.EnvironmentLabel(document.Environment);
        string[] values =
        [
            environment,
            document.InstitutionCode,
            document.InstitutionName,
            document.UserId,
            document.UserName,
            document.Password,
            JapanTime.DateText(document.PasswordExpiresAtUtc),
            document.ResetUserId,
        ];

        using FormPdfWriter pdf = new(Title, document.IssuedAtUtc);
        pdf.Badge(environment);
        pdf.Title(Title);
        pdf.Space(8);
        pdf.Heading(Heading);
        pdf.KeyValueTable(Labels.Select((label, i) => new TableRow(label, values[i])).ToList(), labelWidthMm: 50);
        pdf.Space(2);
        pdf.Notes(Notes);
        return pdf.Build();
    }
}
