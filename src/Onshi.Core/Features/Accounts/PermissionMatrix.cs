using Onshi.Core.Data;

namespace Onshi.Core.Features.Accounts;

/// <summary>What an actor wants to do to a target account.</summary>
public enum AccountAction
{
    View = 1,
    Create = 2,
    Update = 3,
    InitializePassword = 4,
    Unlock = 5,
    ChangeOwnPassword = 6,
}

/// <summary>An account as the matrix sees it: who it is, whose it is, what kind it is.</summary>
public readonly record struct AccountRef(long AccountId, long InstitutionId, OqsEnvironment Environment, AccountKind Kind)
{
    public static AccountRef Of(Account a) => new(a.Id, a.InstitutionId, a.Environment, a.Kind);
}

/// <summary>The answer of the matrix. Anything but <see cref="Allowed"/> is a denial that must be audited.</summary>
public enum PermissionDecision
{
    Allowed = 0,

    /// <summary>The target belongs to another institution or environment. Reported like "not found".</summary>
    OtherInstitution = 1,

    /// <summary>The action may not be done to oneself through the admin screens (or only to oneself).</summary>
    Self = 2,

    /// <summary>The actor's kind may not do this to the target's kind.</summary>
    NotPermitted = 3,
}

/// <summary>
/// The permission matrix of SPEC §3, in one place. Every screen and service asks here; nothing else decides.
/// </summary>
public static class PermissionMatrix
{
    private const AccountActions None = AccountActions.None;
    private const AccountActions V = AccountActions.View;
    private const AccountActions Manage = AccountActions.View | AccountActions.Create | AccountActions.Update
        | AccountActions.InitializePassword | AccountActions.Unlock;

    [Flags]
    private enum AccountActions
    {
        None = 0,
        View = 1 << AccountAction.View,
        Create = 1 << AccountAction.Create,
        Update = 1 << AccountAction.Update,
        InitializePassword = 1 << AccountAction.InitializePassword,
        Unlock = 1 << AccountAction.Unlock,
    }

    /// <summary>
    /// Whether an account of <paramref name="kind"/> may open the screens of <paramref name="capability"/>: the one answer
    /// the pages' policies, the menu and the services ask (what it may then do to a given account is <see cref="Decide"/>).
    /// Unknown kinds and capabilities get nothing.
    /// </summary>
    public static bool Allows(AccountKind kind, OqsCapability capability)
    {
        if (!Enum.IsDefined(kind))
        {
            return false;
        }

        return capability switch
        {
            // The screens exist to act on other accounts: a kind that may view none gets none of them.
            OqsCapability.AccountAdministration => AccountKinds.All.Any(t => (Allowed(kind, t) & V) != 0),
            OqsCapability.AccountRegistration => CreatableKinds(kind).Count > 0,

            // The reset account's password is its 秘密の番号, changed only through the portal's 利用開始・変更申請.
            OqsCapability.ChangeOwnPassword => kind != AccountKind.MasterReset,

            // SPEC §8 and §9. Not the reset account: it exists to re-initialize the master's password (seed P9–P10) and
            // signs in with a 秘密の番号 kept on paper, so it is given no more than that.
            OqsCapability.TerminalList or OqsCapability.AuditLog => kind is AccountKind.Master or AccountKind.Admin,

            // SPEC §11.2: the people at reception look up; the master and reset accounts administer, they do not.
            OqsCapability.QualificationLookup => kind is AccountKind.Admin or AccountKind.General or AccountKind.MedicalInfo,
            OqsCapability.QualificationResults => kind is AccountKind.Master or AccountKind.Admin,
            _ => false,
        };
    }

    /// <summary>
    /// Whether an account of <paramref name="kind"/> may use the machine interfaces of SPEC §12 (the Web API and the 連携アプリ,
    /// which reaches the system through the same API): 連携アプリ用 and Web API用 only. They are not screens, so not an
    /// <see cref="OqsCapability"/>; the people's kinds look up on the screens, and no person's password opens the API.
    /// </summary>
    public static bool MayUseMachineInterface(AccountKind kind) => AccountKinds.IsMachine(kind);

    /// <summary>Whether an account of <paramref name="kind"/> may look up through <paramref name="channel"/> (SPEC §11.2 "Who").</summary>
    public static bool MayLookUp(AccountKind kind, LookupChannel channel) => channel is LookupChannel.WebApi or LookupChannel.LinkApp
        ? MayUseMachineInterface(kind)
        : Allows(kind, OqsCapability.QualificationLookup);

    /// <summary>Decides whether <paramref name="actor"/> may do <paramref name="action"/> to <paramref name="target"/>.</summary>
    public static PermissionDecision Decide(AccountRef actor, AccountRef target, AccountAction action)
    {
        if (actor.InstitutionId != target.InstitutionId || actor.Environment != target.Environment)
        {
            return PermissionDecision.OtherInstitution;
        }

        var isSelf = action != AccountAction.Create && actor.AccountId == target.AccountId;
        if (action == AccountAction.ChangeOwnPassword)
        {
            if (!isSelf)
            {
                return PermissionDecision.Self;
            }

            return Allows(actor.Kind, OqsCapability.ChangeOwnPassword) ? PermissionDecision.Allowed : PermissionDecision.NotPermitted;
        }

        var allowed = Allowed(actor.Kind, target.Kind);
        var flag = (AccountActions)(1 << (int)action);
        if ((allowed & flag) == 0)
        {
            return PermissionDecision.NotPermitted;
        }

        // No one initializes, unlocks or edits their own account through the admin screens.
        if (isSelf && action != AccountAction.View)
        {
            return PermissionDecision.Self;
        }

        return PermissionDecision.Allowed;
    }

    /// <summary>
    /// Whether <paramref name="actor"/> may change an account's 権限区分 from <paramref name="from"/> to <paramref name="to"/>:
    /// among the staff kinds for 管理者 and マスタ, and 管理者 ⇄ staff for マスタ only.
    /// </summary>
    public static bool CanChangeKind(AccountKind actor, AccountKind from, AccountKind to)
    {
        if (from == to)
        {
            return true;
        }

        var mayTouch = (AccountKind k) => (Allowed(actor, k) & AccountActions.Update) != 0;
        return mayTouch(from) && mayTouch(to);
    }

    /// <summary>The kinds <paramref name="actor"/> may create, in display order.</summary>
    public static IReadOnlyList<AccountKind> CreatableKinds(AccountKind actor) =>
        [.. AccountKinds.All.Where(k => (Allowed(actor, k) & AccountActions.Create) != 0)];

    /// <summary>Whether an account of this kind can be disabled or deleted from the UI at all.</summary>
    public static bool CanBeDisabled(AccountKind target) => target is not (AccountKind.Master or AccountKind.MasterReset);

    private static AccountActions Allowed(AccountKind actor, AccountKind target)
    {
        var targetIsStaff = AccountKinds.IsStaff(target);
        return actor switch
        {
            AccountKind.Master => target switch
            {
                AccountKind.Master => V,

                // SPEC §4.6: the reset account stays locked until an operator or the master unlocks it.
                AccountKind.MasterReset => V | AccountActions.Unlock,
                _ => Manage,
            },
            AccountKind.MasterReset => target switch
            {
                // The seed's one exception to "never act on a higher rank": P9–P10.
                AccountKind.Master => V | AccountActions.InitializePassword | AccountActions.Unlock,
                AccountKind.MasterReset => None,
                _ => V,
            },
            AccountKind.Admin => target switch
            {
                AccountKind.Master or AccountKind.Admin => V,
                AccountKind.MasterReset => None,
                _ when targetIsStaff => Manage,
                _ => None,
            },
            _ => None,
        };
    }
}
