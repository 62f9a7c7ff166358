using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Conference.Api.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without Aspire's connection string.</summary>
sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<ConferenceDbContext>
{
    public ConferenceDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<ConferenceDbContext>().UseNpgsql("Host=localhost;Database=conference").Options);
}
