using Onshi.Core.Data;
using Onshi.Core.Features.Accounts;
using Shouldly;

namespace Onshi.UnitTests.Features.Accounts;

/// <summary>
/// The matrix of SPEC §3 written out independently of the implementation, checked cell by cell:
/// every actor kind × target kind × action, in the same institution, another institution and another environment.
/// </summary>
public sealed class PermissionMatrixTests
{
    // V=view C=create U=update I=initialize password K=unlock (on another account of the same institution).
    private static readonly Dictionary<(AccountKind Actor, AccountKind Target), string> Expected = Build();

    private static Dictionary<(AccountKind, AccountKind), string> Build()
    {
        var d = new Dictionary<(AccountKind, AccountKind), string>();
        foreach (var a in AccountKinds.All)
        {
            foreach (var t in AccountKinds.All)
            {
                d[(a, t)] = "";
            }
        }

        foreach (var t in AccountKinds.All)
        {
            d[(AccountKind.Master, t)] = t switch
            {
                AccountKind.Master => "V",
                AccountKind.MasterReset => "VK", // SPEC §4.6: the master unlocks the reset account
                _ => "VCUIK",
            };
            d[(AccountKind.MasterReset, t)] = t switch
            {
                AccountKind.Master => "VIK",
                AccountKind.MasterReset => "",
                _ => "V",
            };
            d[(AccountKind.Admin, t)] = t switch
            {
                AccountKind.Master or AccountKind.Admin => "V",
                AccountKind.MasterReset => "",
                _ => "VCUIK",
            };
        }

        return d;
    }

    private static readonly (AccountAction Action, char Letter)[] Actions =
    [
        (AccountAction.View, 'V'), (AccountAction.Create, 'C'), (AccountAction.Update, 'U'),
        (AccountAction.InitializePassword, 'I'), (AccountAction.Unlock, 'K'),
    ];

    public static TheoryData<AccountKind, AccountKind, AccountAction> AllCells()
    {
        var data = new TheoryData<AccountKind, AccountKind, AccountAction>();
        foreach (var a in AccountKinds.All)
        {
            foreach (var t in AccountKinds.All)
            {
                foreach (var (action, _) in Actions)
                {
                    data.Add(a, t, action);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllCells))]
    public void Decide_SameInstitutionOtherAccount_MatchesSpecTable(AccountKind actorKind, AccountKind targetKind, AccountAction action)
    {
        var actor = new AccountRef(1, 100, OqsEnvironment.Production, actorKind);
        var target = new AccountRef(2, 100, OqsEnvironment.Production, targetKind);
        var letter = Actions.Single(x => x.Action == action).Letter;
        var expected = Expected[(actorKind, targetKind)].Contains(letter, StringComparison.Ordinal)
            ? PermissionDecision.Allowed
            : PermissionDecision.NotPermitted;

        PermissionMatrix.Decide(actor, target, action).ShouldBe(expected);
    }

    [Theory]
    [MemberData(nameof(AllCells))]
    public void Decide_OtherInstitution_AlwaysDenied(AccountKind actorKind, AccountKind targetKind, AccountAction action)
    {
        var actor = new AccountRef(1, 100, OqsEnvironment.Production, actorKind);
        var target = new AccountRef(2, 200, OqsEnvironment.Production, targetKind);

        PermissionMatrix.Decide(actor, target, action).ShouldBe(PermissionDecision.OtherInstitution);
    }

    [Theory]
    [MemberData(nameof(AllCells))]
    public void Decide_SameInstitutionOtherEnvironment_AlwaysDenied(AccountKind actorKind, AccountKind targetKind, AccountAction action)
    {
        var actor = new AccountRef(1, 100, OqsEnvironment.Production, actorKind);
        var target = new AccountRef(2, 100, OqsEnvironment.Verification, targetKind);

        PermissionMatrix.Decide(actor, target, action).ShouldBe(PermissionDecision.OtherInstitution);
    }

    [Theory]
    [MemberData(nameof(AllCells))]
    public void Decide_OnOneself_OnlyViewWhereTheTableAllows(AccountKind actorKind, AccountKind ignored, AccountAction action)
    {
        _ = ignored;
        var self = new AccountRef(1, 100, OqsEnvironment.Production, actorKind);
        var letter = Actions.Single(x => x.Action == action).Letter;
        var inTable = Expected[(actorKind, actorKind)].Contains(letter, StringComparison.Ordinal);

        var decision = PermissionMatrix.Decide(self, self, action);

        if (action == AccountAction.Create)
        {
            // Create has no existing target: "self" is meaningless, the kind table decides.
            decision.ShouldBe(inTable ? PermissionDecision.Allowed : PermissionDecision.NotPermitted);
        }
        else if (!inTable)
        {
            decision.ShouldBe(PermissionDecision.NotPermitted);
        }
        else
        {
            decision.ShouldBe(action == AccountAction.View ? PermissionDecision.Allowed : PermissionDecision.Self);
        }
    }

    [Theory]
    [InlineData(AccountKind.Master, true)]
    [InlineData(AccountKind.MasterReset, false)]
    [InlineData(AccountKind.Admin, true)]
    [InlineData(AccountKind.General, true)]
    [InlineData(AccountKind.MedicalInfo, true)]
    [InlineData(AccountKind.LinkedApp, true)]
    [InlineData(AccountKind.WebApi, true)]
    [InlineData(AccountKind.FaceAuth, true)]
    public void Decide_ChangeOwnPassword_EveryoneButTheResetAccount(AccountKind kind, bool allowed)
    {
        var self = new AccountRef(1, 100, OqsEnvironment.Production, kind);

        PermissionMatrix.Decide(self, self, AccountAction.ChangeOwnPassword)
            .ShouldBe(allowed ? PermissionDecision.Allowed : PermissionDecision.NotPermitted);
    }

    [Theory]
    [MemberData(nameof(AllKindPairs))]
    public void Decide_ChangeOwnPasswordOfAnotherAccount_Denied(AccountKind actorKind, AccountKind targetKind)
    {
        var actor = new AccountRef(1, 100, OqsEnvironment.Production, actorKind);
        var target = new AccountRef(2, 100, OqsEnvironment.Production, targetKind);

        PermissionMatrix.Decide(actor, target, AccountAction.ChangeOwnPassword).ShouldNotBe(PermissionDecision.Allowed);
    }

    public static TheoryData<AccountKind, AccountKind> AllKindPairs()
    {
        var data = new TheoryData<AccountKind, AccountKind>();
        foreach (var a in AccountKinds.All)
        {
            foreach (var t in AccountKinds.All)
            {
                data.Add(a, t);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllKindPairs))]
    public void CanChangeKind_MasterAmongAdminAndStaff_AdminAmongStaffOnly(AccountKind from, AccountKind to)
    {
        static bool MasterMay(AccountKind k) => k == AccountKind.Admin || AccountKinds.IsStaff(k);
        static bool AdminMay(AccountKind k) => AccountKinds.IsStaff(k);

        PermissionMatrix.CanChangeKind(AccountKind.Master, from, to).ShouldBe(from == to || (MasterMay(from) && MasterMay(to)));
        PermissionMatrix.CanChangeKind(AccountKind.Admin, from, to).ShouldBe(from == to || (AdminMay(from) && AdminMay(to)));
        PermissionMatrix.CanChangeKind(AccountKind.MasterReset, from, to).ShouldBe(from == to);
        PermissionMatrix.CanChangeKind(AccountKind.General, from, to).ShouldBe(from == to);
    }

    [Fact]
    public void CreatableKinds_MasterAdminAndStaff_AdminStaffOnly_OthersNothing()
    {
        PermissionMatrix.CreatableKinds(AccountKind.Master).ShouldBe([AccountKind.Admin, .. AccountKinds.StaffKinds]);
        PermissionMatrix.CreatableKinds(AccountKind.Admin).ShouldBe(AccountKinds.StaffKinds);
        PermissionMatrix.CreatableKinds(AccountKind.MasterReset).ShouldBeEmpty();
        foreach (var staff in AccountKinds.StaffKinds)
        {
            PermissionMatrix.CreatableKinds(staff).ShouldBeEmpty();
        }
    }

    // The screens each kind may open (SPEC §3, §5, §8, §9, §11.2), written out: Y = allowed, . = not. Columns:
    // アカウント管理（更新）, アカウント管理（登録）, パスワード変更, 端末証明書一覧, 操作ログ照会, 資格情報照会, 資格確認結果一覧.
    private static readonly OqsCapability[] CapabilityColumns =
    [
        OqsCapability.AccountAdministration, OqsCapability.AccountRegistration, OqsCapability.ChangeOwnPassword,
        OqsCapability.TerminalList, OqsCapability.AuditLog, OqsCapability.QualificationLookup, OqsCapability.QualificationResults,
    ];

    private static readonly string[] ExpectedCapabilityTable =
    [
        // kind          Adm Reg Pw  Trm Log QLk QRs
        "Master          Y   Y   Y   Y   Y   .   Y",
        "MasterReset     Y   .   .   .   .   .   .",
        "Admin           Y   Y   Y   Y   Y   Y   Y",
        "General         .   .   Y   .   .   Y   .",
        "MedicalInfo     .   .   Y   .   .   Y   .",
        "LinkedApp       .   .   Y   .   .   .   .",
        "WebApi          .   .   Y   .   .   .   .",
        "FaceAuth        .   .   Y   .   .   .   .",
    ];

    private static readonly Dictionary<AccountKind, string[]> ExpectedCapabilities = ExpectedCapabilityTable
        .Select(row => row.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .ToDictionary(cells => Enum.Parse<AccountKind>(cells[0]), cells => cells[1..]);

    private static bool ExpectedAllows(AccountKind kind, OqsCapability capability) =>
        ExpectedCapabilities[kind][Array.IndexOf(CapabilityColumns, capability)] == "Y";

    public static TheoryData<AccountKind, OqsCapability> AllCapabilityCells()
    {
        var data = new TheoryData<AccountKind, OqsCapability>();
        foreach (var kind in AccountKinds.All)
        {
            foreach (var capability in Enum.GetValues<OqsCapability>())
            {
                data.Add(kind, capability);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllCapabilityCells))]
    public void Allows_EveryKindAndCapability_MatchesSpecTable(AccountKind kind, OqsCapability capability) =>
        PermissionMatrix.Allows(kind, capability).ShouldBe(ExpectedAllows(kind, capability), $"{kind} × {capability}");

    [Fact]
    public void Allows_TableHasARowPerKindAndAColumnPerCapability()
    {
        ExpectedCapabilities.Keys.Order().ShouldBe(AccountKinds.All.Order(), "a new kind needs its row above");
        Enum.GetValues<OqsCapability>().Order().ShouldBe(CapabilityColumns.Order(), "a new capability needs its column above");
        ExpectedCapabilities.Values.ShouldAllBe(cells => cells.Length == CapabilityColumns.Length);
    }

    [Fact]
    public void Allows_UnknownKindOrCapability_Nothing()
    {
        foreach (var capability in Enum.GetValues<OqsCapability>())
        {
            PermissionMatrix.Allows((AccountKind)0, capability).ShouldBeFalse();
            PermissionMatrix.Allows((AccountKind)99, capability).ShouldBeFalse();
        }

        foreach (var kind in AccountKinds.All)
        {
            PermissionMatrix.Allows(kind, (OqsCapability)0).ShouldBeFalse();
            PermissionMatrix.Allows(kind, (OqsCapability)99).ShouldBeFalse();
        }
    }

    // アカウント管理（登録） is a page of the /Accounts folder: it needs both policies, so registration must imply the other.
    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Allows_AccountRegistration_ImpliesAccountAdministration(AccountKind kind)
    {
        if (PermissionMatrix.Allows(kind, OqsCapability.AccountRegistration))
        {
            PermissionMatrix.Allows(kind, OqsCapability.AccountAdministration).ShouldBeTrue();
        }
    }

    // The screen capability and the per-target answer for one's own password never disagree.
    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Allows_ChangeOwnPassword_SameAsDecideOnOneself(AccountKind kind)
    {
        var self = new AccountRef(1, 100, OqsEnvironment.Production, kind);

        (PermissionMatrix.Decide(self, self, AccountAction.ChangeOwnPassword) == PermissionDecision.Allowed)
            .ShouldBe(PermissionMatrix.Allows(kind, OqsCapability.ChangeOwnPassword));
    }

    public static TheoryData<AccountKind> AllKinds() => [.. AccountKinds.All];

    [Theory]
    [InlineData(AccountKind.Master, false)]
    [InlineData(AccountKind.MasterReset, false)]
    [InlineData(AccountKind.Admin, true)]
    [InlineData(AccountKind.WebApi, true)]
    public void CanBeDisabled_MasterAndResetNever(AccountKind kind, bool expected) =>
        PermissionMatrix.CanBeDisabled(kind).ShouldBe(expected);
}
