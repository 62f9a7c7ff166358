using System.ComponentModel;
using System.Security.Claims;
using Conference.Api.Data;
using Conference.Api.Recordings;
using Conference.Contracts;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Conference.Api.Accounts;

/// <summary>
/// Sign-up, sign-in, sessions and the admin's site settings. One sign-in serves both kinds of client: a cookie for
/// the browser (<c>useCookie: true</c>) or a bearer token with a rotating refresh token for anything else (the web
/// app keeps that pair in its own cookie).
/// </summary>
public static class AccountsApi
{
    public const int MinimumPasswordLength = 10;

    const string WrongCredentials = "The email or password is wrong.";

    public static IEndpointRouteBuilder MapAccountsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/accounts").WithTags("Accounts");

        api.MapGet("/signup", SignUpRequirements).WithName("GetSignUpRequirements")
            .WithSummary("Whether sign-up is open, and whether it needs the admin setup code (no admin exists yet).");
        api.MapPost("/signup", SignUp).WithName("SignUp")
            .WithSummary("Create a host account. While no admin exists, only a sign-up with the setup code from the api's log is accepted, and it becomes the admin.")
            .WithSignInRateLimit()
            .ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapPost("/signin", SignIn).WithName("SignIn")
            .WithSummary("Sign in with a cookie (browsers) or a bearer token. Unknown email and wrong password get the same answer.")
            .WithSignInRateLimit()
            .Produces<AccessTokenResponse>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapPost("/refresh", Refresh).WithName("RefreshToken")
            .WithSummary("Trade a refresh token for a new bearer token and refresh token; the old one stops working, and presenting it again ends the sign-in.")
            // Not under the sign-in rate limit: a refresh token cannot be guessed, and every signed-in person's
            // refreshes come from the web's one address, which a stranger's failed sign-ins would otherwise exhaust.
            .Produces<AccessTokenResponse>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        api.MapPost("/signout", SignOut).WithName("SignOut")
            .WithSummary("End this sign-in: the cookie, or the bearer token's refresh token and access token.").RequireAuthorization();
        api.MapPost("/signout-everywhere", SignOutEverywhere).WithName("SignOutEverywhere")
            .WithSummary("End every sign-in of this account, on every device.").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        api.MapPost("/password", ChangePassword).WithName("ChangePassword")
            .WithSummary("Change the password; every other sign-in ends. Bearer callers get new tokens.")
            .RequireAuthorization().WithSignInRateLimit()
            .Produces<AccessTokenResponse>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapGet("/me", Me).WithName("GetMyAccount").WithSummary("The signed-in account.").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        var admin = app.MapGroup("api/admin").WithTags("Admin").RequireAuthorization(policy => policy.RequireRole(Roles.Admin));
        // Sign-up is the api's; retention is the recorder's, read from and handed to it on each call (503 with
        // Retry-After while it cannot be reached; nothing is saved then).
        admin.MapGet("/settings", GetSettings).WithName("GetSiteSettings").WithSummary("Sign-up and retention settings.")
            .Produces<SiteSettingsDto>().ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        admin.MapPut("/settings", UpdateSettings).WithName("UpdateSiteSettings").WithSummary("Open or close sign-up; set recording retention.")
            .Produces<SiteSettingsDto>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        admin.MapAccountAdministration();

        return app;
    }

    /// <summary>A new host account.</summary>
    /// <param name="Email">The sign-in email; one account per address.</param>
    /// <param name="Password">At least 10 characters.</param>
    /// <param name="DisplayName">Shown to others in meetings, 1–64 characters.</param>
    /// <param name="SetupCode">Required while no admin exists: the one-time code printed in the api's log (<c>XXXX-XXXX-XXXX</c>).</param>
    public sealed record SignUpRequest(
        string? Email,
        string? Password,
        [property: Description("Shown to others in meetings, 1–64 characters.")] string? DisplayName,
        [property: Description("Required while no admin exists: the one-time code printed in the api's log. That sign-up becomes the admin.")] string? SetupCode = null);

    public sealed record SignUpRequirementsResponse(bool SignUpOpen, bool SetupCodeRequired);

    /// <summary>Sign-in by email and password.</summary>
    /// <param name="Email">The account's email.</param>
    /// <param name="Password">Its password.</param>
    /// <param name="UseCookie">true: set a cookie (browsers); false: answer with a bearer token (1 hour) and refresh token.</param>
    public sealed record SignInRequest(string? Email, string? Password, [property: Description("true: set a cookie (browsers); false: return a bearer token.")] bool UseCookie = false);

    public sealed record RefreshRequest([property: Description("The refreshToken of the latest sign-in or refresh.")] string? RefreshToken);

    /// <summary>A password change.</summary>
    /// <param name="CurrentPassword">The password now.</param>
    /// <param name="NewPassword">At least 10 characters.</param>
    public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

    public sealed record AccountResponse(string Id, string Email, string DisplayName, bool IsAdmin);

    /// <summary>The site's settings (admin).</summary>
    /// <param name="SignUpOpen">Whether anyone may sign up.</param>
    /// <param name="RecordingRetentionDays">
    /// Days finished recordings are kept before they are deleted, 1–3650, or 0 to keep them for ever; kept by the
    /// recorder. Left out of a change: unchanged. Null in an answer only when this server has no recorder (it cannot record).
    /// </param>
    public sealed record SiteSettingsDto([property: System.Text.Json.Serialization.JsonRequired] bool SignUpOpen, int? RecordingRetentionDays);

    static async Task<Ok<SignUpRequirementsResponse>> SignUpRequirements(ConferenceDbContext db)
    {
        var settings = await db.SiteSettings.AsNoTracking().SingleAsync();
        return TypedResults.Ok(new SignUpRequirementsResponse(settings.SignUpOpen || settings.AdminSetupCode is not null, settings.AdminSetupCode is not null));
    }

    static async Task<Results<Created<AccountResponse>, ValidationProblem, ProblemHttpResult>> SignUp(
        SignUpRequest request, UserManager<ConferenceUser> users, ConferenceDbContext db, TimeProvider clock)
    {
        var validation = new Validation().PersonText("displayName", request.DisplayName, TextLimits.DisplayName, out var displayName);
        if (string.IsNullOrWhiteSpace(request.Email) || !request.Email.Contains('@') || request.Email.Length > 256)
        {
            validation.Add("email", "A valid email address is required.");
        }
        if (string.IsNullOrEmpty(request.Password))
        {
            validation.Add("password", "The password is required.");
        }
        if (request.SetupCode is { Length: > 64 })
        {
            validation.Add("setupCode", "The setup code is wrong or has been used.");
        }
        if (!validation.IsValid)
        {
            return TypedResults.ValidationProblem(validation.Errors);
        }

        // The account and its admin role are made together with claiming the code, or not at all.
        await using var transaction = await db.Database.BeginTransactionAsync();
        var settings = await db.SiteSettings.AsNoTracking().SingleAsync();
        var becomesAdmin = false;
        if (settings.AdminSetupCode is not null)
        {
            if (string.IsNullOrWhiteSpace(request.SetupCode))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["setupCode"] = ["This server has no admin yet: enter the setup code printed in the api's log."],
                });
            }
            // The row stays locked until this transaction ends, so a second sign-up with the same code waits and then
            // finds it gone: exactly one admin, however many race.
            var code = AdminSetup.Normalize(request.SetupCode);
            var claimed = await db.SiteSettings.Where(s => s.Id == SiteSettings.SingletonId && s.AdminSetupCode == code)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.AdminSetupCode, (string?)null));
            if (claimed == 0)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["setupCode"] = ["The setup code is wrong or has been used."] });
            }
            becomesAdmin = true;
        }
        else if (!settings.SignUpOpen)
        {
            return TypedResults.Problem("Sign-up is closed on this server; ask its admin for an account.", statusCode: StatusCodes.Status403Forbidden);
        }

        var user = new ConferenceUser
        {
            UserName = request.Email!.Trim(),
            Email = request.Email.Trim(),
            DisplayName = displayName,
            CreatedAt = clock.GetUtcNow(),
        };
        var created = await users.CreateAsync(user, request.Password!);
        if (!created.Succeeded)
        {
            // The email is the user name too, so Identity finds a taken address twice ("Username 'x' is already taken.",
            // and "Email 'x'…" when emails must be unique): say it once, about the email the person typed.
            foreach (var error in created.Errors)
            {
                var (field, message) = error.Code switch
                {
                    nameof(IdentityErrorDescriber.DuplicateUserName) or nameof(IdentityErrorDescriber.DuplicateEmail) =>
                        ("email", "An account with this email address already exists. Sign in, or reset its password if you have forgotten it."),
                    nameof(IdentityErrorDescriber.InvalidUserName) or nameof(IdentityErrorDescriber.InvalidEmail) =>
                        ("email", "A valid email address is required."),
                    _ when error.Code.Contains("Password", StringComparison.Ordinal) => ("password", error.Description),
                    _ => ("email", error.Description),
                };
                if (validation.Errors.TryGetValue(field, out var already) && already.Contains(message))
                {
                    continue;
                }
                validation.Add(field, message);
            }
            return TypedResults.ValidationProblem(validation.Errors);
        }
        if (becomesAdmin)
        {
            await users.AddToRoleAsync(user, Roles.Admin);
        }
        await transaction.CommitAsync();
        return TypedResults.Created("/api/accounts/me", new AccountResponse(user.Id, user.Email, user.DisplayName, becomesAdmin));
    }

    static async Task<Results<EmptyHttpResult, SignInHttpResult, ValidationProblem, ProblemHttpResult>> SignIn(
        SignInRequest request, HttpContext http, SignInManager<ConferenceUser> signIn, UserManager<ConferenceUser> users, RefreshTokens refreshTokens)
    {
        if (string.IsNullOrWhiteSpace(request.Email) || string.IsNullOrEmpty(request.Password))
        {
            var validation = new Validation();
            if (string.IsNullOrWhiteSpace(request.Email)) validation.Add("email", "The email is required.");
            if (string.IsNullOrEmpty(request.Password)) validation.Add("password", "The password is required.");
            return TypedResults.ValidationProblem(validation.Errors);
        }
        var email = request.Email.Trim();
        // Per account and address: slows someone guessing one account's password without locking its owner out
        // (the owner signs in from another address; an attacker's misses never lock the account).
        if (await RateLimits.CheckSignInAttemptAsync(http, email) is { } tooMany)
        {
            return tooMany;
        }

        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            // The same work as a wrong password, so the answer's timing does not tell which emails have accounts.
            users.PasswordHasher.VerifyHashedPassword(new ConferenceUser(), UnknownAccountHash(users), request.Password);
            return TypedResults.Problem(WrongCredentials, statusCode: StatusCodes.Status401Unauthorized);
        }
        var checkedPassword = await signIn.CheckPasswordSignInAsync(user, request.Password, lockoutOnFailure: false);
        if (!checkedPassword.Succeeded)
        {
            return TypedResults.Problem(WrongCredentials, statusCode: StatusCodes.Status401Unauthorized);
        }
        // Said only to someone who knows the password.
        if (user.DisabledAt is not null)
        {
            return TypedResults.Problem("This account has been disabled by the server's admin.", statusCode: StatusCodes.Status403Forbidden);
        }

        if (request.UseCookie)
        {
            await signIn.SignInAsync(user, isPersistent: true);
            return TypedResults.Empty;
        }
        var principal = await signIn.CreateUserPrincipalAsync(user);
        await refreshTokens.StartAsync(principal, user.Id);
        return TypedResults.SignIn(principal, authenticationScheme: IdentityConstants.BearerScheme);
    }

    static string? unknownAccountHash;

    static string UnknownAccountHash(UserManager<ConferenceUser> users) =>
        unknownAccountHash ??= users.PasswordHasher.HashPassword(new ConferenceUser(), Guid.NewGuid().ToString());

    // The refresh token is the protected sign-in ticket (as in Identity's own /refresh), honoured until it expires,
    // while the account is unchanged (security stamp), not disabled, and only once: it must be its family's current token.
    static async Task<Results<SignInHttpResult, ValidationProblem, ProblemHttpResult>> Refresh(RefreshRequest request,
        SignInManager<ConferenceUser> signIn, IOptionsMonitor<BearerTokenOptions> bearerOptions, RefreshTokens refreshTokens, TimeProvider clock)
    {
        if (string.IsNullOrWhiteSpace(request.RefreshToken))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["refreshToken"] = ["The refresh token is required."] });
        }

        var ticket = bearerOptions.Get(IdentityConstants.BearerScheme).RefreshTokenProtector.Unprotect(request.RefreshToken);
        var user = ticket?.Properties.ExpiresUtc is { } expires && expires > clock.GetUtcNow()
            ? await signIn.ValidateSecurityStampAsync(ticket.Principal)
            : null;
        if (ticket is null || user is null || user.DisabledAt is not null)
        {
            return NotValidAnyMore();
        }
        var principal = await signIn.CreateUserPrincipalAsync(user);
        if (!await refreshTokens.RotateAsync(ticket.Principal, principal, user.Id))
        {
            return NotValidAnyMore();
        }
        return TypedResults.SignIn(principal, authenticationScheme: IdentityConstants.BearerScheme);

        static ProblemHttpResult NotValidAnyMore() =>
            TypedResults.Problem("The refresh token is not valid (any more); sign in again.", statusCode: StatusCodes.Status401Unauthorized);
    }

    static async Task<NoContent> SignOut(ClaimsPrincipal principal, SignInManager<ConferenceUser> signIn, RefreshTokens refreshTokens)
    {
        if (!await refreshTokens.RevokeAsync(principal))
        {
            await signIn.SignOutAsync();
        }
        return TypedResults.NoContent();
    }

    static async Task<Results<NoContent, UnauthorizedHttpResult>> SignOutEverywhere(ClaimsPrincipal principal,
        UserManager<ConferenceUser> users, SignInManager<ConferenceUser> signIn, RefreshTokens refreshTokens)
    {
        if (await users.GetUserAsync(principal) is not { } user)
        {
            return TypedResults.Unauthorized();
        }
        // A new security stamp ends every cookie and access token at its next request; revoking the families ends
        // the refresh tokens, and says so in the database for anyone reading it.
        await users.UpdateSecurityStampAsync(user);
        await refreshTokens.RevokeAllAsync(user.Id);
        if (!principal.HasClaim(c => c.Type == RefreshTokens.FamilyClaim))
        {
            await signIn.SignOutAsync();
        }
        return TypedResults.NoContent();
    }

    static async Task<Results<SignInHttpResult, NoContent, ValidationProblem, UnauthorizedHttpResult>> ChangePassword(
        ChangePasswordRequest request, ClaimsPrincipal principal, UserManager<ConferenceUser> users, SignInManager<ConferenceUser> signIn,
        RefreshTokens refreshTokens)
    {
        var validation = new Validation();
        if (string.IsNullOrEmpty(request.CurrentPassword)) validation.Add("currentPassword", "The current password is required.");
        if (string.IsNullOrEmpty(request.NewPassword)) validation.Add("newPassword", "The new password is required.");
        if (!validation.IsValid)
        {
            return TypedResults.ValidationProblem(validation.Errors);
        }
        if (await users.GetUserAsync(principal) is not { } user)
        {
            return TypedResults.Unauthorized();
        }
        if (request.NewPassword == request.CurrentPassword)
        {
            // Identity would "change" it to itself, and end every other sign-in for nothing.
            if (await users.CheckPasswordAsync(user, request.CurrentPassword!))
            {
                validation.Add("newPassword", "The new password is the same as the current one; choose a different one.");
            }
            else
            {
                validation.Add("currentPassword", "The current password is wrong.");
            }
            return TypedResults.ValidationProblem(validation.Errors);
        }
        var changed = await users.ChangePasswordAsync(user, request.CurrentPassword!, request.NewPassword!);
        if (!changed.Succeeded)
        {
            foreach (var error in changed.Errors)
            {
                validation.Add(error.Code == nameof(IdentityErrorDescriber.PasswordMismatch) ? "currentPassword" : "newPassword",
                    error.Code == nameof(IdentityErrorDescriber.PasswordMismatch) ? "The current password is wrong." : error.Description);
            }
            return TypedResults.ValidationProblem(validation.Errors);
        }
        // The new password changed the security stamp, which ends every sign-in, this one included; this one goes on
        // with a new cookie or new tokens.
        await refreshTokens.RevokeAllAsync(user.Id);
        if (!principal.HasClaim(c => c.Type == RefreshTokens.FamilyClaim))
        {
            await signIn.RefreshSignInAsync(user);
            return TypedResults.NoContent();
        }
        var renewed = await signIn.CreateUserPrincipalAsync(user);
        await refreshTokens.StartAsync(renewed, user.Id);
        return TypedResults.SignIn(renewed, authenticationScheme: IdentityConstants.BearerScheme);
    }

    static async Task<Results<Ok<AccountResponse>, UnauthorizedHttpResult>> Me(ClaimsPrincipal principal, UserManager<ConferenceUser> users)
    {
        var user = await users.GetUserAsync(principal);
        return user is null
            ? TypedResults.Unauthorized()
            : TypedResults.Ok(new AccountResponse(user.Id, user.Email ?? "", user.DisplayName, await users.IsInRoleAsync(user, Roles.Admin)));
    }

    static async Task<IResult> GetSettings(ConferenceDbContext db, RecorderService recorder, HttpContext http)
    {
        var settings = await db.SiteSettings.AsNoTracking().SingleAsync();
        return recorder.IsConfigured
            ? await RecorderCall.CallAsync(http, client => client.RetentionAsync(http.RequestAborted),
                retention => TypedResults.Ok(new SiteSettingsDto(settings.SignUpOpen, retention.Days)))
            : TypedResults.Ok(new SiteSettingsDto(settings.SignUpOpen, null));
    }

    static async Task<IResult> UpdateSettings(SiteSettingsDto request, ConferenceDbContext db, HttpContext http)
    {
        if (request.RecordingRetentionDays is not { } days)
        {
            await SaveSignUpAsync(request.SignUpOpen, db);
            return TypedResults.Ok(request);
        }
        if (!RetentionSetting.IsAllowed(days))
        {
            return TypedResults.ValidationProblem(new Validation().Add("recordingRetentionDays", RetentionSetting.Refusal("recordingRetentionDays")).Errors);
        }
        // The recorder first: while it cannot take the retention, nothing changes and the admin is asked to retry.
        return await RecorderCall.CallAsync(http, client => client.SetRetentionAsync(days, http.RequestAborted), async retention =>
        {
            await SaveSignUpAsync(request.SignUpOpen, db);
            return TypedResults.Ok(new SiteSettingsDto(request.SignUpOpen, retention.Days));
        });
    }

    static Task SaveSignUpAsync(bool open, ConferenceDbContext db) =>
        db.SiteSettings.Where(s => s.Id == SiteSettings.SingletonId).ExecuteUpdateAsync(set => set.SetProperty(s => s.SignUpOpen, open));
}
