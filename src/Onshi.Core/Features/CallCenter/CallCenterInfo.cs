namespace Onshi.Core.Features.CallCenter;

/// <summary>オンライン資格確認等コールセンター (seed P3): the number and hours shown on the sites.</summary>
public static class CallCenterInfo
{
    public const string Name = "オンライン資格確認等コールセンター";

    public const string PhoneNumber = "0800-080-4583";

    public static IReadOnlyList<string> Hours { get; } = ["月曜日～金曜日：8:00-18:00", "土曜日：8:00-16:00", "（いずれも祝日を除く）"];
}
