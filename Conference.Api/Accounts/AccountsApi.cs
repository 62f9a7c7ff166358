using System.ComponentModel;
using System.Security.Claims;
using Conference.Api.Data;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Conference.Api.Accounts;

/// <summary>
/// Sign-up, sign-in and the admin's site settings. One sign-in serves both kinds of client: a cookie for the
/// browser (<c>useCookie: true</c>) or a bearer token for anything else.
/// </summary>
public static class AccountsApi
{
    public const int MinimumPasswordLength = 10;

    public static IEndpointRouteBuilder MapAccountsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/accounts").WithTags("Accounts");

        api.MapPost("/signup", SignUp).WithName("SignUp").WithSummary("Create a host account; the first account becomes the admin.")
            .WithSignInRateLimit();
        api.MapPost("/signin", SignIn).WithName("SignIn").WithSummary("Sign in with a cookie (browsers) or a bearer token.")
            .WithSignInRateLimit();
        api.MapPost("/refresh", Refresh).WithName("RefreshToken")
            .WithSummary("Trade a refresh token for a new bearer token, while the account is unchanged (no password change, not locked out).")
            // Not under the sign-in rate limit: a refresh token cannot be guessed, and every signed-in person's
            // refreshes come from the web's one address, which a stranger's failed sign-ins would otherwise exhaust.
            .Produces<AccessTokenResponse>();
        api.MapPost("/signout", SignOut).WithName("SignOut").WithSummary("End the cookie session.").RequireAuthorization();
        api.MapGet("/me", Me).WithName("GetMyAccount").WithSummary("The signed-in account.").RequireAuthorization();

        var admin = app.MapGroup("api/admin").WithTags("Admin").RequireAuthorization(policy => policy.RequireRole(Roles.Admin));
        admin.MapGet("/settings", GetSettings).WithName("GetSiteSettings").WithSummary("Sign-up and retention settings.");
        admin.MapPut("/settings", UpdateSettings).WithName("UpdateSiteSettings").WithSummary("Open or close sign-up; set recording retention.");

        return app;
    }

    public sealed record SignUpRequest(string? Email, string? Password, [property: Description("Shown to others in meetings, 1–64 characters.")] string? DisplayName);

    public sealed record SignInRequest(string? Email, string? Password, [property: Description("true: set a cookie (browsers); false: return a bearer token.")] bool UseCookie = false);

    public sealed record RefreshRequest([property: Description("The refreshToken of an earlier sign-in or refresh.")] string? RefreshToken);

    public sealed record AccountResponse(string Id, string Email, string DisplayName, bool IsAdmin);

    public sealed record SiteSettingsDto(bool SignUpOpen, int RecordingRetentionDays);

    static async Task<Results<Created<AccountResponse>, ValidationProblem, ProblemHttpResult>> SignUp(
        SignUpRequest request, UserManager<ConferenceUser> users, ConferenceDbContext db, TimeProvider clock)
    {
        var validation = new Validation().Name("displayName", request.DisplayName, 64);
        if (string.IsNullOrWhiteSpace(request.Email) || !request.Email.Contains('@') || request.Email.Length > 256)
        {
            validation.Add("email", "A valid email address is required.");
        }
        if (string.IsNullOrEmpty(request.Password))
        {
            validation.Add("password", "The password is required.");
        }
        if (!validation.IsValid)
        {
            return TypedResults.ValidationProblem(validation.Errors);
        }

        var settings = await db.SiteSettings.SingleAsync();
        var firstAccount = !await users.Users.AnyAsync();
        if (!settings.SignUpOpen && !firstAccount)
        {
            return TypedResults.Problem("Sign-up is closed on this server; ask its admin for an account.", statusCode: StatusCodes.Status403Forbidden);
        }

        var user = new ConferenceUser
        {
            UserName = request.Email!.Trim(),
            Email = request.Email.Trim(),
            DisplayName = request.DisplayName!.Trim(),
            CreatedAt = clock.GetUtcNow(),
        };
        var created = await users.CreateAsync(user, request.Password!);
        if (!created.Succeeded)
        {
            foreach (var error in created.Errors)
            {
                validation.Add(error.Code.Contains("Password", StringComparison.Ordinal) ? "password" : "email", error.Description);
            }
            return TypedResults.ValidationProblem(validation.Errors);
        }

        // The first account administers the server. Two sign-ups racing for it is harmless: both can close sign-up.
        if (firstAccount)
        {
            await users.AddToRoleAsync(user, Roles.Admin);
        }
        return TypedResults.Created("/api/accounts/me", new AccountResponse(user.Id, user.Email, user.DisplayName, firstAccount));
    }

    static async Task<Results<EmptyHttpResult, ValidationProblem, ProblemHttpResult>> SignIn(
        SignInRequest request, SignInManager<ConferenceUser> signIn, UserManager<ConferenceUser> users)
    {
        if (string.IsNullOrWhiteSpace(request.Email) || string.IsNullOrEmpty(request.Password))
        {
            var validation = new Validation();
            if (string.IsNullOrWhiteSpace(request.Email)) validation.Add("email", "The email is required.");
            if (string.IsNullOrEmpty(request.Password)) validation.Add("password", "The password is required.");
            return TypedResults.ValidationProblem(validation.Errors);
        }

        signIn.AuthenticationScheme = request.UseCookie ? IdentityConstants.ApplicationScheme : IdentityConstants.BearerScheme;
        var user = await users.FindByEmailAsync(request.Email.Trim());
        var result = user is null
            ? Microsoft.AspNetCore.Identity.SignInResult.Failed
            : await signIn.PasswordSignInAsync(user, request.Password, isPersistent: request.UseCookie, lockoutOnFailure: true);

        if (result.IsLockedOut)
        {
            return TypedResults.Problem("Too many failed sign-ins; the account is locked for a few minutes.", statusCode: StatusCodes.Status423Locked);
        }
        if (!result.Succeeded)
        {
            return TypedResults.Problem("The email or password is wrong.", statusCode: StatusCodes.Status401Unauthorized);
        }
        // The sign-in manager has written the cookie or the bearer token response.
        return TypedResults.Empty;
    }

    // What Identity's own /refresh does: the refresh token is the protected sign-in ticket; it is honoured until it
    // expires and only while the account's security stamp is unchanged (a new password or email ends it). A lockout
    // does not: it is what five wrong passwords cause, and anyone knowing a host's email could sign them out with it.
    static async Task<Results<SignInHttpResult, ValidationProblem, ProblemHttpResult>> Refresh(RefreshRequest request,
        SignInManager<ConferenceUser> signIn, IOptionsMonitor<BearerTokenOptions> bearerOptions, TimeProvider clock)
    {
        if (string.IsNullOrWhiteSpace(request.RefreshToken))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["refreshToken"] = ["The refresh token is required."] });
        }

        var ticket = bearerOptions.Get(IdentityConstants.BearerScheme).RefreshTokenProtector.Unprotect(request.RefreshToken);
        var user = ticket?.Properties.ExpiresUtc is { } expires && expires > clock.GetUtcNow()
            ? await signIn.ValidateSecurityStampAsync(ticket.Principal)
            : null;
        if (user is null)
        {
            return TypedResults.Problem("The refresh token is not valid (any more); sign in again.", statusCode: StatusCodes.Status401Unauthorized);
        }

        var principal = await signIn.CreateUserPrincipalAsync(user);
        return TypedResults.SignIn(principal, authenticationScheme: IdentityConstants.BearerScheme);
    }

    static async Task<NoContent> SignOut(SignInManager<ConferenceUser> signIn)
    {
        await signIn.SignOutAsync();
        return TypedResults.NoContent();
    }

    static async Task<Results<Ok<AccountResponse>, UnauthorizedHttpResult>> Me(ClaimsPrincipal principal, UserManager<ConferenceUser> users)
    {
        var user = await users.GetUserAsync(principal);
        return user is null
            ? TypedResults.Unauthorized()
            : TypedResults.Ok(new AccountResponse(user.Id, user.Email ?? "", user.DisplayName, await users.IsInRoleAsync(user, Roles.Admin)));
    }

    static async Task<Ok<SiteSettingsDto>> GetSettings(ConferenceDbContext db)
    {
        var settings = await db.SiteSettings.AsNoTracking().SingleAsync();
        return TypedResults.Ok(new SiteSettingsDto(settings.SignUpOpen, settings.RecordingRetentionDays));
    }

    static async Task<Results<Ok<SiteSettingsDto>, ValidationProblem>> UpdateSettings(SiteSettingsDto request, ConferenceDbContext db,
        StackExchange.Redis.IConnectionMultiplexer redis)
    {
        var validation = new Validation().Range("recordingRetentionDays", request.RecordingRetentionDays, 1, 3650);
        if (!validation.IsValid)
        {
            return TypedResults.ValidationProblem(validation.Errors);
        }
        var settings = await db.SiteSettings.SingleAsync();
        settings.SignUpOpen = request.SignUpOpen;
        settings.RecordingRetentionDays = request.RecordingRetentionDays;
        await db.SaveChangesAsync();
        // The recorder owns recordings and cannot read this table: it reads the retention from Redis.
        await redis.GetDatabase().StringSetAsync(Conference.Recorder.Contracts.SharedRedisKeys.RetentionDays, request.RecordingRetentionDays);
        return TypedResults.Ok(request);
    }
}
