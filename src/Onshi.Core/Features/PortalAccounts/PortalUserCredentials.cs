using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Data;
using Onshi.Core.Features.Credentials;

namespace Onshi.Core.Features.PortalAccounts;

/// <summary>
/// The portal users' credentials: signing in needs a confirmed address; the password is the user's own (never temporary),
/// does not expire and has no history (its only change is a reset by mailed link) — <see cref="CredentialStore{T}"/>.
/// </summary>
public sealed class PortalUserCredentials : CredentialStore<PortalUser>
{
    public static PortalUserCredentials Instance { get; } = new();

    public override Expression<Func<PortalUser, bool>> MaySignIn { get; } = u => u.EmailConfirmed;

    public override bool PasswordsExpire => false;

    public override bool KeepsHistory => false;

    public override DbSet<PortalUser> Holders(OnshiDbContext db) => db.PortalUsers;

    public override string? SignInRefusal(PortalUser holder) => holder is { EmailConfirmed: true } ? null : "unconfirmed";
}
