namespace Onshi.Core.Features.CallCenterDesk;

/// <summary>The コールセンター desk. Bound from <c>Onshi:CallCenterDesk</c>.</summary>
public sealed class CallCenterDeskOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Onshi:CallCenterDesk";

    /// <summary>
    /// How long the notice PDF of a 秘密の番号 re-issue stays (encrypted) for 「通知書を再ダウンロード」: the same letter, not
    /// a new number, when the first print failed or a second operator needs it. Then it is erased and only a new re-issue
    /// produces a notice. Between one minute and 30 days. Defaults to 24 hours.
    /// </summary>
    public TimeSpan NoticeRetention { get; set; } = TimeSpan.FromHours(24);
}
