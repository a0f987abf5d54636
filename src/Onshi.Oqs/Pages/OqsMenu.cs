using Onshi.Core.Data;
using Onshi.Core.Features.Accounts;

namespace Onshi.Oqs.Pages;

/// <summary>One line of the メニュー: the screen it opens and the capability it needs.</summary>
public sealed record OqsMenuItem(OqsCapability Capability, string Label, string Description, string Href);

/// <summary>A group of the メニュー (《アカウント情報管理》, ...) with its lines in display order.</summary>
public sealed record OqsMenuGroup(string Title, IReadOnlyList<OqsMenuItem> Items);

/// <summary>
/// The メニュー of the OQS (SPEC §5), the one list of its screens. An account sees the lines whose capability
/// <see cref="PermissionMatrix.Allows(AccountKind, OqsCapability)"/> gives its kind, and a group only when it holds at
/// least one such line. The page behind each line is guarded by the policy of the same capability (<c>OqsApp</c>).
/// A new screen: an <see cref="OqsCapability"/> member and its row in the matrix, one line here, the page.
/// </summary>
public static class OqsMenu
{
    /// <summary>Every group and line, whoever is signed in.</summary>
    public static IReadOnlyList<OqsMenuGroup> Groups { get; } =
    [
        new("資格確認",
        [
            new(OqsCapability.QualificationLookup, "資格情報照会", "被保険者証等の記号・番号等で、受診者の資格を確認します", "/Qualifications"),
            new(OqsCapability.QualificationLookup, "一括照会", "予約患者など複数の受診者の資格を、CSV・XMLファイルでまとめて確認します", "/Qualifications/Bulk"),
            new(OqsCapability.QualificationResults, "資格確認結果一覧", "この医療機関等の資格確認結果を確認し、XML・CSVで出力します", "/Qualifications/Results"),
        ]),
        new("アカウント情報管理",
        [
            new(OqsCapability.AccountRegistration, "アカウント管理（登録）", "管理アカウント・一般アカウント等を登録します", "/Accounts/Register"),
            new(OqsCapability.AccountAdministration, "アカウント管理（更新）", "アカウントの確認・更新・パスワード初期化・ロック解除を行います", "/Accounts"),
            new(OqsCapability.ChangeOwnPassword, "パスワード変更", "ご自身のパスワードを変更します", "/ChangePassword"),
            new(OqsCapability.TerminalList, "端末証明書一覧", "この医療機関等の資格確認端末と証明書の有効期限を確認します", "/Terminals"),
            new(OqsCapability.AuditLog, "操作ログ照会", "この医療機関等のアカウントの操作ログ・ログイン履歴を確認し、CSVで出力します", "/AuditLog"),
        ]),
    ];

    /// <summary>The groups and lines an account of <paramref name="kind"/> sees.</summary>
    public static IReadOnlyList<OqsMenuGroup> For(AccountKind kind) => Visible(Groups, kind);

    /// <summary>
    /// The lines of <paramref name="groups"/> that <paramref name="kind"/> may use, in their order; groups left empty are
    /// dropped.
    /// </summary>
    public static IReadOnlyList<OqsMenuGroup> Visible(IEnumerable<OqsMenuGroup> groups, AccountKind kind)
    {
        ArgumentNullException.ThrowIfNull(groups);
        return
        [
            .. groups
                .Select(g => g with { Items = [.. g.Items.Where(i => PermissionMatrix.Allows(kind, i.Capability))] })
                .Where(g => g.Items.Count > 0),
        ];
    }
}
