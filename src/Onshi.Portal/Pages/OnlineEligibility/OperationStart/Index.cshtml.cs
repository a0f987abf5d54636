using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Onshi.Core.Data;
using Onshi.Core.Features.Applications;

namespace Onshi.Portal.Pages.OnlineEligibility.OperationStart;

/// <summary>An institution of the user with its environments' 運用開始日.</summary>
public sealed record OperationStartInstitution(PortalInstitution Institution, IReadOnlyList<OperationStartRow> Rows);

/// <summary>運用開始日登録: per approved institution and environment, the registered date and a form to register or replace it.</summary>
public sealed class IndexModel(UsageApplicationService applications, OperationStartService operationStart) : PortalPageModel
{
    public IReadOnlyList<OperationStartInstitution> Institutions { get; private set; } = [];

    /// <summary>The row whose form failed (its errors are shown next to it), e.g. "StartDate-12-1".</summary>
    public string? FailedRow { get; private set; }

    /// <summary>What was typed into the failed row.</summary>
    public string? FailedValue { get; private set; }

    public static string RowId(long institutionId, OqsEnvironment environment) =>
        string.Create(CultureInfo.InvariantCulture, $"StartDate-{institutionId}-{(int)environment}");

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostAsync(long institutionId, OqsEnvironment environment, string? startDate)
    {
        var row = RowId(institutionId, environment);
        ModelState.Clear();
        var value = startDate?.Trim() ?? "";
        string? error = null;
        if (value.Length == 0)
        {
            error = "運用開始日を入力してください。";
        }
        else if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            error = "運用開始日は「2026-04-01」の形式で、正しい日付を入力してください。";
        }
        else
        {
            var result = await operationStart.RegisterAsync(UserId, institutionId, environment, date, Aborted);
            if (result.Succeeded)
            {
                Notice = $"{result.Value!.EnvironmentLabel}の運用開始日を{ApplicationLabels.Date(date)}で登録しました。";
                return Redirect("/OnlineEligibility/OperationStart");
            }

            error = string.Join(" ", result.Errors.Select(e => e.Message));
        }

        ModelState.AddModelError(row, error);
        FailedRow = row;
        FailedValue = value.Length > 10 ? value[..10] : value;
        await LoadAsync();
        return Page();
    }

    private async Task LoadAsync()
    {
        var list = new List<OperationStartInstitution>();
        foreach (var institution in await applications.ListMyInstitutionsAsync(UserId, Aborted))
        {
            var rows = await operationStart.ListAsync(UserId, institution.Id, Aborted);
            if (rows.Succeeded)
            {
                list.Add(new OperationStartInstitution(institution, rows.Value!));
            }
        }

        Institutions = list;
    }
}
