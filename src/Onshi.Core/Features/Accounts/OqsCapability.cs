namespace Onshi.Core.Features.Accounts;

/// <summary>
/// What a screen of the OQS needs: one member per group of screens. Whether an account kind has it is
/// <see cref="PermissionMatrix.Allows(Onshi.Core.Data.AccountKind, OqsCapability)"/>; the site turns each member into
/// one authorization policy and one or more menu lines. A new screen is one member here (or an existing one), one
/// row in <c>PermissionMatrix.Allows</c>, one line in the OQS menu definition and the page itself.
/// A capability opens the screens; what the account may then do to each target account is still
/// <see cref="PermissionMatrix.Decide"/>.
/// </summary>
public enum OqsCapability
{
    /// <summary>
    /// アカウント管理（更新）: the search, an account's アカウント情報 and the actions on it that the matrix allows for that
    /// target (update, パスワード初期化, ロック解除), with the issued-password screen (<c>/Accounts/*</c>). Every kind that may
    /// view some other account: マスタ, マスタリセット用 and 管理者.
    /// </summary>
    AccountAdministration = 1,

    /// <summary>
    /// アカウント管理（登録） (<c>/Accounts/Register</c>): every kind that may create at least one kind of account
    /// (<see cref="PermissionMatrix.CreatableKinds"/>): マスタ and 管理者.
    /// </summary>
    AccountRegistration = 2,

    /// <summary>
    /// パスワード変更 (<c>/ChangePassword</c>), also the forced change after a temporary or expired password: every kind but
    /// マスタリセット用, whose password is its 秘密の番号, changed only through the portal's 利用開始・変更申請.
    /// </summary>
    ChangeOwnPassword = 3,

    /// <summary>端末証明書一覧 (<c>/Terminals</c>): マスタ and 管理者 (SPEC §8), not the reset account.</summary>
    TerminalList = 4,

    /// <summary>操作ログ照会 and ログイン履歴 with their CSV (<c>/AuditLog/*</c>): マスタ and 管理者 (SPEC §9).</summary>
    AuditLog = 5,

    /// <summary>
    /// 資格情報照会 on the screens (SPEC §11.2): 管理者, 一般 and 医療情報閲覧. Not マスタ, not マスタリセット用. 連携アプリ用 and
    /// Web API用 look up through the machine interfaces of SPEC §12, not through this screen capability.
    /// </summary>
    QualificationLookup = 6,

    /// <summary>資格確認結果一覧 with its export (SPEC §11.2, last bullet): 管理者 and マスタ.</summary>
    QualificationResults = 7,
}
