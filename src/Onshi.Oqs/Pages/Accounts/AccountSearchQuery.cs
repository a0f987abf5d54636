using System.Globalization;
using Microsoft.AspNetCore.Http;
using Onshi.Core.Common;
using Onshi.Core.Features.AccountManagement;

namespace Onshi.Oqs.Pages.Accounts;

/// <summary>
/// The filters of アカウント管理（更新） as they travel in the query string: from the search to an account's アカウント情報 and
/// back by 「検索画面へ戻る」 (issue 14, item 8), so the list the user came from is the list they return to. Read leniently:
/// anything unreadable is the default.
/// </summary>
public sealed record AccountSearchQuery(string? UserId, string? DisplayName, KindFilter Kind, StatusFilter Status, int Page)
{
    public static AccountSearchQuery Default { get; } = new(null, null, KindFilter.All, StatusFilter.All, 1);

    public static AccountSearchQuery From(IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return new(
            TextInput.NormalizeCode(Text(query["UserId"], 16)),
            Text(query["DisplayName"], 50),
            Enum.TryParse<KindFilter>(query["Kind"], out var kind) && Enum.IsDefined(kind) ? kind : KindFilter.All,
            Enum.TryParse<StatusFilter>(query["Status"], out var status) && Enum.IsDefined(status) ? status : StatusFilter.All,
            int.TryParse(query["page"], NumberStyles.None, CultureInfo.InvariantCulture, out var page) && page >= 1 ? page : 1);
    }

    /// <summary>The filters as a query string (<c>?UserId=…&amp;Kind=…</c>), empty values left out.</summary>
    public string ToQueryString(int? page = null, string? handler = null)
    {
        var values = new List<KeyValuePair<string, string?>>();
        if (handler is not null)
        {
            values.Add(new("handler", handler));
        }

        if (!string.IsNullOrEmpty(UserId))
        {
            values.Add(new("UserId", UserId));
        }

        if (!string.IsNullOrEmpty(DisplayName))
        {
            values.Add(new("DisplayName", DisplayName));
        }

        values.Add(new("Kind", ((int)Kind).ToString(CultureInfo.InvariantCulture)));
        values.Add(new("Status", ((int)Status).ToString(CultureInfo.InvariantCulture)));
        values.Add(new("page", (page ?? Page).ToString(CultureInfo.InvariantCulture)));
        return QueryString.Create(values).ToUriComponent();
    }

    /// <summary>The search screen showing these filters' results (「検索画面へ戻る」).</summary>
    public string SearchUrl(int? page = null) => "/Accounts" + ToQueryString(page);

    /// <summary>An account's アカウント情報, carrying these filters.</summary>
    public string DetailUrl(long id, string? handler = null) =>
        "/Accounts/Detail/" + id.ToString(CultureInfo.InvariantCulture) + ToQueryString(handler: handler);

    private static string? Text(string? s, int max)
    {
        if (string.IsNullOrEmpty(s))
        {
            return null;
        }

        // Control characters (NUL included) can match nothing and some databases refuse them.
        var clean = new string([.. s.Where(c => !char.IsControl(c))]);
        return clean.Length > max ? clean[..max] : clean;
    }
}
