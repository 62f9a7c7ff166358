using System.Text;
using Conference.Api.Data;
using Conference.Api.Mail;
using Conference.Api.Scheduling;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace Conference.Api.Accounts;

/// <summary>
/// Password reset by email. Asking always answers 202, whether or not an account has that address (no account
/// enumeration); an account gets a link to <c>{site}/account/reset</c> with Identity's reset token, good for
/// <see cref="MailOptions.PasswordResetLinkLifetime"/> (an hour) and once: the new password changes the security stamp the token is bound to. Setting it
/// ends every sign-in of the account (cookies, access tokens, refresh tokens).
/// </summary>
public static class PasswordResetApi
{
    /// <summary>At most one reset mail per account in this time, so nobody can flood someone's inbox through us.</summary>
    public static readonly TimeSpan MailInterval = TimeSpan.FromMinutes(1);

    public const string Subject = "Reset your Conference password";

    const string InvalidLink = "This reset link is not valid (any more): it may have been used or be over an hour old. Ask for a new one.";

    public static IEndpointRouteBuilder MapPasswordResetApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/accounts/password-reset").WithTags("Accounts");
        api.MapPost("/", RequestReset).WithName("RequestPasswordReset").WithSignInRateLimit()
            .WithSummary("Mail a password reset link to this address if an account has it; the answer is 202 either way.");
        api.MapPost("/confirm", ConfirmReset).WithName("ResetPassword").WithSignInRateLimit()
            .WithSummary("Set a new password with the link's token; every sign-in of the account ends.");
        api.MapPost("/check", CheckLink).WithName("CheckPasswordResetLink").WithSignInRateLimit()
            .WithSummary("Whether a reset link's token is still good (204), without using it; a used or expired one is a problem naming the token.");
        return app;
    }

    /// <summary>A reset link's email and token, to check before the new password is asked for.</summary>
    public sealed record PasswordResetLink(string? Email, string? Token);

    /// <summary>
    /// The reset page asks this before it shows its form, so a link that was used (the security stamp changed) or
    /// is over its lifetime is told at once, not after the person has typed a new password twice.
    /// </summary>
    static async Task<Results<NoContent, ValidationProblem>> CheckLink(PasswordResetLink request, UserManager<ConferenceUser> users)
    {
        var (user, token) = await FindAsync(request.Email, request.Token, users);
        var good = user is not null && token.Length > 0 && await users.VerifyUserTokenAsync(user, users.Options.Tokens.PasswordResetTokenProvider,
            UserManager<ConferenceUser>.ResetPasswordTokenPurpose, token);
        return good ? TypedResults.NoContent() : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["token"] = [InvalidLink] });
    }

    /// <summary>The account the link names and its token as Identity made it (empty when the link's token is not one of ours).</summary>
    static async Task<(ConferenceUser? User, string Token)> FindAsync(string? email, string? linkToken, UserManager<ConferenceUser> users)
    {
        if (string.IsNullOrWhiteSpace(email) || email.Length > 256 || !ScheduleValidation.IsWellFormedText(email)
            || string.IsNullOrWhiteSpace(linkToken) || linkToken.Length > 2048)
        {
            return (null, "");
        }
        string token;
        try
        {
            token = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(linkToken));
        }
        catch (FormatException)
        {
            return (null, "");
        }
        return (await users.FindByEmailAsync(email.Trim()), token);
    }

    public sealed record PasswordResetRequest(string? Email);

    public sealed record PasswordResetConfirmation(string? Email, string? Token, string? NewPassword);

    static async Task<Results<Accepted, ValidationProblem>> RequestReset(PasswordResetRequest request, UserManager<ConferenceUser> users,
        ConferenceDbContext db, MailOutbox outbox, PersonalLinks links, TimeProvider clock, Microsoft.Extensions.Options.IOptions<MailOptions> mail)
    {
        var email = request.Email?.Trim();
        if (string.IsNullOrEmpty(email) || email.Length > 256 || !email.Contains('@') || email.Any(char.IsControl)
            || !ScheduleValidation.IsWellFormedText(email))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["email"] = ["A valid email address is required."] });
        }
        var user = await users.FindByEmailAsync(email);
        var now = clock.GetUtcNow();
        if (user is { DisabledAt: null, Email: not null }
            && !await db.MailOutbox.AnyAsync(m => m.Recipients == user.Email && m.Subject == Subject && m.CreatedAt > now - MailInterval))
        {
            var token = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(await users.GeneratePasswordResetTokenAsync(user)));
            var link = links.SiteLink($"account/reset?email={Uri.EscapeDataString(user.Email)}&token={token}");
            var message = new MimeMessage { Subject = Subject };
            message.To.Add(new MailboxAddress(user.DisplayName, user.Email));
            message.Body = new TextPart("plain")
            {
                Text = $"""
                    Someone (we hope you) asked to reset the password of your Conference account {user.Email}.

                    Set a new password: {link}

                    The link works once, within {mail.Value.PasswordResetLinkLifetime.TotalMinutes:0} minutes. If you did not ask, ignore this mail: your password stays as it is.
                    """,
            };
            outbox.Enqueue(message);
            await db.SaveChangesAsync();
            outbox.WakeDelivery();
        }
        return TypedResults.Accepted((string?)null);
    }

    static async Task<Results<NoContent, ValidationProblem>> ConfirmReset(PasswordResetConfirmation request, UserManager<ConferenceUser> users,
        RefreshTokens refreshTokens)
    {
        var validation = new Validation();
        if (string.IsNullOrWhiteSpace(request.Email) || request.Email.Length > 256 || !ScheduleValidation.IsWellFormedText(request.Email))
        {
            validation.Add("email", "The email is required.");
        }
        if (string.IsNullOrWhiteSpace(request.Token)) validation.Add("token", "The token from the reset link is required.");
        if (string.IsNullOrEmpty(request.NewPassword)) validation.Add("newPassword", "The new password is required.");
        if (!validation.IsValid)
        {
            return TypedResults.ValidationProblem(validation.Errors);
        }
        var (user, token) = await FindAsync(request.Email, request.Token, users);
        if (user is null || token.Length == 0)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["token"] = [InvalidLink] });
        }
        var reset = await users.ResetPasswordAsync(user, token, request.NewPassword!);
        if (!reset.Succeeded)
        {
            foreach (var error in reset.Errors)
            {
                if (error.Code == nameof(IdentityErrorDescriber.InvalidToken))
                {
                    validation.Add("token", InvalidLink);
                }
                else
                {
                    validation.Add("newPassword", error.Description);
                }
            }
            return TypedResults.ValidationProblem(validation.Errors);
        }
        // The new security stamp ends cookies and access tokens at their next request; this ends the refresh tokens.
        await refreshTokens.RevokeAllAsync(user.Id);
        return TypedResults.NoContent();
    }
}
