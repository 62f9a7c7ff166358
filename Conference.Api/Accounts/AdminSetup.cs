using System.Security.Cryptography;
using Conference.Api.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Conference.Api.Accounts;

/// <summary>
/// The first admin: whoever signs up with the one-time setup code the api prints in its log while no admin exists
/// (so <c>docker compose logs api</c> or the dashboard shows it to the operator, and not to the first stranger who
/// finds the sign-up page).
/// </summary>
public static class AdminSetup
{
    // No 0/O, 1/I/L: the code is read off a log and typed by a person.
    const string Alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

    /// <summary>At start, while no admin exists: makes a setup code (once, shared by every instance) and logs it.</summary>
    public static async Task EnsureAdminSetupCodeAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConferenceDbContext>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ConferenceUser>>();
        if ((await users.GetUsersInRoleAsync(Roles.Admin)).Count > 0)
        {
            return;
        }
        var fresh = NewCode();
        // Only where none is waiting: a second instance (or a restart) prints the code the first one made.
        await db.SiteSettings.Where(s => s.Id == SiteSettings.SingletonId && s.AdminSetupCode == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.AdminSetupCode, fresh));
        var code = await db.SiteSettings.Where(s => s.Id == SiteSettings.SingletonId).Select(s => s.AdminSetupCode).SingleAsync();
        app.Logger.LogWarning("This server has no admin yet. Sign up with the setup code {AdminSetupCode} to become its admin; the code works once.", code);
    }

    static string NewCode()
    {
        var raw = RandomNumberGenerator.GetString(Alphabet, 12);
        return $"{raw[..4]}-{raw[4..8]}-{raw[8..]}";
    }

    /// <summary>"abcd efgh-jkmn" → "ABCD-EFGH-JKMN": people retype codes with spaces and small letters.</summary>
    public static string Normalize(string code)
    {
        var letters = new string(code.Where(char.IsLetterOrDigit).Select(char.ToUpperInvariant).ToArray());
        return letters.Length == 12 ? $"{letters[..4]}-{letters[4..8]}-{letters[8..]}" : letters;
    }
}
