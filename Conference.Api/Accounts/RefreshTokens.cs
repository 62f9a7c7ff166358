using System.Security.Claims;
using Conference.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Conference.Api.Accounts;

/// <summary>
/// Refresh-token families (<see cref="RefreshTokenFamily"/>). The family and token ids travel as claims inside the
/// bearer tokens the api issues, so both the refresh token and the access token name their family. Every way a
/// sign-in ends comes through here, so here is where the account's open pages are told (<see cref="AccountChanges"/>).
/// </summary>
public sealed class RefreshTokens(ConferenceDbContext db, TimeProvider clock, AccountChanges changes)
{
    public const string FamilyClaim = "conference:refresh_family";
    public const string TokenClaim = "conference:refresh_token";

    /// <summary>Starts a family for a new sign-in and adds its claims to <paramref name="principal"/>.</summary>
    public async Task StartAsync(ClaimsPrincipal principal, string userId)
    {
        var now = clock.GetUtcNow();
        var family = new RefreshTokenFamily { Id = Guid.NewGuid(), UserId = userId, CurrentTokenId = Guid.NewGuid(), CreatedAt = now, LastUsedAt = now };
        db.RefreshTokenFamilies.Add(family);
        await db.SaveChangesAsync();
        AddClaims(principal, family.Id, family.CurrentTokenId);
    }

    /// <summary>
    /// Trades the token named by <paramref name="ticket"/> for the next one of its family, whose claims it adds to
    /// <paramref name="next"/>. False when the token is not the family's current one: then the family is revoked
    /// (a reused token means two holders), or was already.
    /// </summary>
    public async Task<bool> RotateAsync(ClaimsPrincipal ticket, ClaimsPrincipal next, string userId)
    {
        if (!TryRead(ticket, out var familyId, out var tokenId))
        {
            return false;
        }
        var now = clock.GetUtcNow();
        var nextTokenId = Guid.NewGuid();
        // One statement: two refreshes racing with the same token cannot both win.
        var rotated = await db.RefreshTokenFamilies
            .Where(f => f.Id == familyId && f.UserId == userId && f.CurrentTokenId == tokenId && f.RevokedAt == null)
            .ExecuteUpdateAsync(f => f.SetProperty(x => x.CurrentTokenId, nextTokenId).SetProperty(x => x.LastUsedAt, now));
        if (rotated == 0)
        {
            await RevokeFamilyAsync(familyId, userId);
            return false;
        }
        AddClaims(next, familyId, nextTokenId);
        return true;
    }

    /// <summary>Ends the sign-in <paramref name="principal"/> belongs to (its family); false when it has none (a cookie).</summary>
    public async Task<bool> RevokeAsync(ClaimsPrincipal principal)
    {
        if (!TryRead(principal, out var familyId, out _))
        {
            return false;
        }
        await RevokeFamilyAsync(familyId, principal.FindFirstValue(ClaimTypes.NameIdentifier));
        return true;
    }

    /// <summary>
    /// Ends every sign-in of the account, except the family <paramref name="keep"/> if given. Callers change the
    /// security stamp first (it ends cookies and access tokens), so the pages told here find their sign-in refused.
    /// </summary>
    public async Task RevokeAllAsync(string userId, Guid? keep = null)
    {
        var now = clock.GetUtcNow();
        await db.RefreshTokenFamilies.Where(f => f.UserId == userId && f.RevokedAt == null && f.Id != keep)
            .ExecuteUpdateAsync(f => f.SetProperty(x => x.RevokedAt, now));
        // Told even when no family was live: the new security stamp has ended the account's other sign-ins anyway.
        changes.SignInsEnded(userId);
    }

    /// <summary>Whether the family named by the principal is still live; true for principals without one (cookies).</summary>
    public async Task<bool> IsLiveAsync(ClaimsPrincipal principal) =>
        !TryRead(principal, out var familyId, out _)
        || await db.RefreshTokenFamilies.AnyAsync(f => f.Id == familyId && f.RevokedAt == null);

    async Task RevokeFamilyAsync(Guid familyId, string? userId)
    {
        var now = clock.GetUtcNow();
        var revoked = await db.RefreshTokenFamilies.Where(f => f.Id == familyId && f.RevokedAt == null)
            .ExecuteUpdateAsync(f => f.SetProperty(x => x.RevokedAt, now));
        if (revoked > 0 && userId is not null)
        {
            changes.SignInsEnded(userId);
        }
    }

    static void AddClaims(ClaimsPrincipal principal, Guid familyId, Guid tokenId)
    {
        var identity = (ClaimsIdentity)principal.Identity!;
        foreach (var old in identity.FindAll(c => c.Type is FamilyClaim or TokenClaim).ToList())
        {
            identity.RemoveClaim(old);
        }
        identity.AddClaim(new Claim(FamilyClaim, familyId.ToString()));
        identity.AddClaim(new Claim(TokenClaim, tokenId.ToString()));
    }

    static bool TryRead(ClaimsPrincipal principal, out Guid familyId, out Guid tokenId)
    {
        tokenId = default;
        return Guid.TryParse(principal.FindFirstValue(FamilyClaim), out familyId)
               && Guid.TryParse(principal.FindFirstValue(TokenClaim), out tokenId);
    }
}
