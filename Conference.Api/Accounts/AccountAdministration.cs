using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Conference.Api.Accounts;

/// <summary>The admin's view of accounts: list them, disable one (effective at its next request) or enable it again.</summary>
public static class AccountAdministration
{
    public sealed record AccountSummary(string Id, string Email, string DisplayName, bool IsAdmin, DateTimeOffset CreatedAt, DateTimeOffset? DisabledAt);

    internal static RouteGroupBuilder MapAccountAdministration(this RouteGroupBuilder admin)
    {
        admin.MapGet("/accounts", ListAccounts).WithName("ListAccounts").WithSummary("Every account, newest first.");
        admin.MapPost("/accounts/{id}/disable", Disable).WithName("DisableAccount")
            .WithSummary("Disable an account: its sign-ins end at their next request and it cannot sign in until enabled.");
        admin.MapPost("/accounts/{id}/enable", Enable).WithName("EnableAccount").WithSummary("Let a disabled account sign in again.");
        return admin;
    }

    static async Task<Ok<AccountSummary[]>> ListAccounts(UserManager<ConferenceUser> users)
    {
        var admins = (await users.GetUsersInRoleAsync(Roles.Admin)).Select(u => u.Id).ToHashSet();
        var accounts = await users.Users.AsNoTracking().OrderByDescending(u => u.CreatedAt).Take(1000).ToListAsync();
        return TypedResults.Ok(accounts
            .Select(u => new AccountSummary(u.Id, u.Email ?? "", u.DisplayName, admins.Contains(u.Id), u.CreatedAt, u.DisabledAt))
            .ToArray());
    }

    static async Task<Results<Ok<AccountSummary>, NotFound<ProblemDetails>, ValidationProblem>> Disable(string id, ClaimsPrincipal principal,
        UserManager<ConferenceUser> users, RefreshTokens refreshTokens, TimeProvider clock)
    {
        if (await users.FindByIdAsync(id) is not { } user)
        {
            return NoSuchAccount();
        }
        if (user.Id == users.GetUserId(principal))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["id"] = ["An admin cannot disable their own account."] });
        }
        user.DisabledAt ??= clock.GetUtcNow();
        await users.UpdateAsync(user);
        await users.UpdateSecurityStampAsync(user);
        await refreshTokens.RevokeAllAsync(user.Id);
        return TypedResults.Ok(await SummaryAsync(users, user));
    }

    static async Task<Results<Ok<AccountSummary>, NotFound<ProblemDetails>>> Enable(string id, UserManager<ConferenceUser> users)
    {
        if (await users.FindByIdAsync(id) is not { } user)
        {
            return NoSuchAccount();
        }
        user.DisabledAt = null;
        await users.UpdateAsync(user);
        return TypedResults.Ok(await SummaryAsync(users, user));
    }

    static NotFound<ProblemDetails> NoSuchAccount() =>
        TypedResults.NotFound(new ProblemDetails { Title = "No such account.", Status = StatusCodes.Status404NotFound });

    static async Task<AccountSummary> SummaryAsync(UserManager<ConferenceUser> users, ConferenceUser user) =>
        new(user.Id, user.Email ?? "", user.DisplayName, await users.IsInRoleAsync(user, Roles.Admin), user.CreatedAt, user.DisabledAt);
}
