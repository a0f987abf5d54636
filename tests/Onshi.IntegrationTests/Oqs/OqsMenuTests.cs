using Onshi.Core.Data;
using Onshi.Core.Features.Accounts;
using Onshi.Oqs.Pages;
using Shouldly;

namespace Onshi.IntegrationTests.Oqs;

/// <summary>The menu definition itself: lines filtered by the matrix, empty groups dropped, each screen listed once.</summary>
public sealed class OqsMenuTests
{
    [Fact]
    public void Visible_GroupWithNoLineTheKindMayUse_IsNotShown()
    {
        // A 資格確認 group as the next screens will add it: the master may use 資格確認結果一覧 but not 資格情報照会.
        OqsMenuGroup[] groups =
        [
            new("資格確認",
            [
                new(OqsCapability.QualificationLookup, "資格情報照会", "", "/Qualifications"),
                new(OqsCapability.QualificationResults, "資格確認結果一覧", "", "/Qualifications/Results"),
            ]),
            new("アカウント情報管理", [new(OqsCapability.ChangeOwnPassword, "パスワード変更", "", "/ChangePassword")]),
        ];

        OqsMenu.Visible(groups, AccountKind.Master).Select(g => (g.Title, g.Items.Count)).ShouldBe([("資格確認", 1), ("アカウント情報管理", 1)]);
        OqsMenu.Visible(groups, AccountKind.General).Select(g => (g.Title, g.Items.Count)).ShouldBe([("資格確認", 1), ("アカウント情報管理", 1)]);
        OqsMenu.Visible(groups, AccountKind.WebApi).Select(g => g.Title).ShouldBe(["アカウント情報管理"]);
        OqsMenu.Visible(groups, AccountKind.MasterReset).ShouldBeEmpty();
    }

    [Fact]
    public void Groups_EachScreenListedOnce_WithALabelAndADescription()
    {
        var items = OqsMenu.Groups.SelectMany(g => g.Items).ToList();

        items.Select(i => i.Href).ShouldBeUnique();
        items.ShouldAllBe(i => i.Label.Length > 0 && i.Description.Length > 0 && i.Href.StartsWith('/'));
        OqsMenu.Groups.ShouldAllBe(g => g.Title.Length > 0 && g.Items.Count > 0);
    }
}
