using Microsoft.AspNetCore.Identity;

namespace Conference.Api.Accounts;

static class RoleSetup
{
    /// <summary>Creates the admin role once; a second instance doing the same at once is harmless.</summary>
    public static async Task EnsureRolesAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        if (!await roles.RoleExistsAsync(Roles.Admin))
        {
            await roles.CreateAsync(new IdentityRole(Roles.Admin));
        }
    }
}
