using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Conference.Api.Accounts;

/// <summary>
/// Every authenticated request is checked against the account as it is now, not as it was when the token or
/// cookie was issued: a disabled account, a changed password, "sign out everywhere" (a new security stamp) or a
/// signed-out bearer sign-in (a revoked refresh family) stop working at the next request, as a 401. One
/// primary-key read per request, and one more for bearer tokens.
/// </summary>
public static class AccountStateCheck
{
    /// <summary>Authentication, then this check, then authorization (which then sees an anonymous caller).</summary>
    public static IApplicationBuilder UseAccountSessions(this IApplicationBuilder app)
    {
        app.UseAuthentication();
        app.Use(async (context, next) =>
        {
            if (context.User.Identity?.IsAuthenticated == true && !await IsCurrentAsync(context.User, context.RequestServices))
            {
                context.User = new ClaimsPrincipal(new ClaimsIdentity());
            }
            await next(context);
        });
        app.UseAuthorization();
        return app;
    }

    static async Task<bool> IsCurrentAsync(ClaimsPrincipal principal, IServiceProvider services)
    {
        var claimTypes = services.GetRequiredService<IOptions<IdentityOptions>>().Value.ClaimsIdentity;
        var userId = principal.FindFirstValue(claimTypes.UserIdClaimType);
        var stamp = principal.FindFirstValue(claimTypes.SecurityStampClaimType);
        if (userId is null || stamp is null)
        {
            return false;
        }
        var account = await services.GetRequiredService<UserManager<ConferenceUser>>().Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.SecurityStamp, u.DisabledAt }).SingleOrDefaultAsync();
        return account is { DisabledAt: null } && account.SecurityStamp == stamp
               && await services.GetRequiredService<RefreshTokens>().IsLiveAsync(principal);
    }
}
