using System.Reflection;
using Onshi.Core.Data;
using Onshi.Core.Features.Applications;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.MemberImports;
using Onshi.Core.Features.Operators;
using Onshi.Core.Features.Sessions;
using Shouldly;

namespace Onshi.UnitTests.Features.Audit;

public sealed class AuditLabelsTests
{
    private static IEnumerable<string> Constants(Type t) => t.GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string)).Select(f => (string)f.GetRawConstantValue()!);

    [Fact]
    public void EveryActionCode_HasOneJapaneseLabel()
    {
        var codes = Constants(typeof(AuditActions)).Concat(Constants(typeof(OperatorAuditActions))).Concat(Constants(typeof(ApplicationAuditActions)))
            .Concat(Constants(typeof(MemberImportAuditActions)).Where(c => c != MemberImportAuditActions.FailedDetail)).ToList();

        foreach (var code in codes)
        {
            AuditLabels.IsAction(code).ShouldBeTrue(code);
            AuditLabels.Action(code).ShouldNotBe(code);
        }

        AuditLabels.Actions.Select(a => a.Code).ShouldBeUnique();
        AuditLabels.Actions.Select(a => a.Label).ShouldBeUnique();
        AuditLabels.Actions.Count.ShouldBe(codes.Count);
    }

    [Fact]
    public void EverySessionEndReason_HasALabel()
    {
        foreach (var reason in Constants(typeof(SessionEndReasons)))
        {
            AuditLabels.EndReason(reason).ShouldNotBe(reason);
        }
    }

    [Fact]
    public void EveryRequestRefusalReason_HasALabel_AndTheInstitutionCanFilterByIt()
    {
        RequestRefusalReasons.All.ShouldBe(Constants(typeof(RequestRefusalReasons)), ignoreOrder: true);
        foreach (var reason in RequestRefusalReasons.All)
        {
            AuditLabels.Detail(reason).ShouldNotBe(reason);
        }

        InstitutionAuditQuery.Actions.ShouldContain((AuditActions.RequestRefused, "不正なリクエストの拒否"));
    }

    /// <summary>Issue 14 (11): the clinic's 操作ログ showed 「account-settings-pdf」 and other codes as they were stored.</summary>
    [Fact]
    public void EveryDetailAndTargetCodeTheClinicCanSee_HasAJapaneseLabel()
    {
        AuditDetails.All.ShouldBe(Constants(typeof(AuditDetails)).Where(c => c is not AuditDetails.CsvTarget and not AuditDetails.AuditLogTarget
            and not AuditDetails.XmlTarget and not AuditDetails.QualificationTarget and not AuditDetails.ValidityPrefix), ignoreOrder: true);
        foreach (var code in AuditDetails.All)
        {
            AuditLabels.Detail(code).ShouldNotBe(code);
        }

        foreach (var (code, _) in InstitutionAuditQuery.Actions)
        {
            AuditLabels.Action(code).ShouldNotBe(code);
        }

        AuditLabels.Detail(AuditDetails.AccountSettingsPdf).ShouldBe("アカウント設定情報（PDF）");
        AuditLabels.Target(AuditActions.AuditExport, AuditDetails.CsvTarget).ShouldBe("CSVファイル");
        AuditLabels.Target(AuditActions.AccessDenied, AuditDetails.AuditLogTarget).ShouldBe("操作ログ照会");
        AuditLabels.Target(AuditActions.AccessDenied, AuditDetails.QualificationTarget).ShouldBe("資格確認");
        AuditLabels.Target(AuditActions.QualificationExport, AuditDetails.XmlTarget).ShouldBe("XMLファイル（ZIP）");
        AuditLabels.Detail(AuditDetails.ValidityPrefix + "3").ShouldBe("資格有効性 無効（新しい資格あり）");
        // A user ID that spells a code stays a user ID.
        AuditLabels.Target(AuditActions.AccountUpdate, AuditDetails.AuditLogTarget).ShouldBe(AuditDetails.AuditLogTarget);
    }

    [Fact]
    public void Terminal_IsTheTerminalName_WhenKnown_ElseTheSerial()
    {
        var entry = new AuditEntry
        {
            Action = AuditActions.Login,
            Outcome = AuditOutcomes.Success,
            Actor = "UKETSUKE01",
            CertificateSerial = "0A1B2C",
            PreviousHash = "",
            Hash = "",
        };
        var row = AuditRow.ForInstitution(entry);
        row.Terminal.ShouldBe("0A1B2C");
        (row with { TerminalName = "UKETSUKE-01" }).Terminal.ShouldBe("UKETSUKE-01");
    }

    [Theory]
    [InlineData("wrong-password", "パスワード誤り")]
    [InlineData("name,kind:general>admin,disabled", "ユーザ名、権限区分 一般→管理者、アカウント無効")]
    [InlineData("rows=12", "12件")]
    [InlineData("something-new", "something-new")]
    [InlineData("", "")]
    public void Detail_InWords_UnknownKept(string detail, string expected) => AuditLabels.Detail(detail).ShouldBe(expected);

    [Fact]
    public void InstitutionView_HidesOperatorsAndOtherInstitutionsTerminals()
    {
        var entry = new AuditEntry
        {
            Action = OperatorAuditActions.SecretReissue,
            Outcome = AuditOutcomes.Success,
            Actor = "op:cc-tanaka",
            ClientAddress = "10.0.0.5",
            PreviousHash = "",
            Hash = "",
        };
        var row = AuditRow.ForInstitution(entry);
        row.Actor.ShouldBe("運用者");
        row.ClientAddress.ShouldBe("");

        var foreign = AuditRow.ForInstitution(new AuditEntry
        {
            Action = AuditActions.Login,
            Outcome = AuditOutcomes.Failure,
            Actor = InstitutionActors.OtherInstitutionTerminal,
            CertificateSerial = "ABCD",
            ClientAddress = "192.0.2.1",
            PreviousHash = "",
            Hash = "",
        });
        foreign.Actor.ShouldBe("他の医療機関等の端末");
        foreign.CertificateSerial.ShouldBe("");
        foreign.ClientAddress.ShouldBe("");
    }

    [Fact]
    public void MemberImportDetails_AreInWords()
    {
        AuditLabels.Detail("rows=120,inserted=100,updated=20").ShouldBe("120件、追加100件、置換20件");
        AuditLabels.Detail("rows=120,errors=3").ShouldBe("120件、誤り3件");
        AuditLabels.Detail("bytes=2048").ShouldBe("2048バイト");
        AuditLabels.Detail(MemberImportAuditActions.FailedDetail).ShouldNotBe(MemberImportAuditActions.FailedDetail);
    }
}
