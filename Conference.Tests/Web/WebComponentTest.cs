using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Conference.Web.Accounts;
using Conference.Web.Api;
using Conference.Web.Components.Call;
using Conference.Web.Extensions;
using Conference.Web.Meetings;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conference.Tests.Web;

/// <summary>
/// A bUnit context with the web's real api clients (as the app registers them) talking to an <see cref="ApiStub"/>,
/// and a signed-in host whose api token is <see cref="AccessToken"/>.
/// </summary>
public abstract class WebComponentTest : BunitContext
{
    public const string AccessToken = "host-api-token";

    protected ApiStub Api { get; } = new();

    /// <summary>What the web's Redis subscriber would pass on; tests notify pages through it.</summary>
    protected MeetingChangeNotifications Notifications { get; } = new(NullLogger<MeetingChangeNotifications>.Instance);

    /// <summary>What the web's Redis subscriber passes on of account changes; tests notify pages through it.</summary>
    protected AccountChangeNotifications AccountNotifications { get; } = new(NullLogger<AccountChangeNotifications>.Instance);

    protected BunitAuthorizationContext Authorization { get; }

    protected WebComponentTest()
    {
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton(Notifications);
        Services.AddSingleton(AccountNotifications);
        Services.AddScoped<CallOnThisTab>();
        Services.AddApiClients();
        Services.ConfigureHttpClientDefaults(http => http.ConfigurePrimaryHttpMessageHandler(() => Api));
        Authorization = AddAuthorization();
        SignIn();
    }

    /// <summary>Components that wait for a live circuit render as in one. Call after the last service is added.</summary>
    protected void RenderInteractively() => SetRendererInfo(new RendererInfo("Server", isInteractive: true));

    protected void SignIn(bool admin = false)
    {
        Authorization.SetAuthorized("Ada Host");
        Authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, "host-1"), new Claim(ApiSession.AccessTokenClaim, AccessToken));
        if (admin)
        {
            Authorization.SetRoles("Admin");
        }
    }

    protected BunitNavigationManager Navigation => Services.GetRequiredService<BunitNavigationManager>();
}
