using Onshi.Core.Data;

namespace Onshi.Web.Hosting;

/// <summary>What the shared layout shows of the site it frames.</summary>
public sealed record SiteChrome(string SiteName, string ShortName, string HomePath, OqsEnvironment Environment)
{
    public string EnvironmentLabel => Environment == OqsEnvironment.Production ? "本番環境" : "接続確認環境";
}
