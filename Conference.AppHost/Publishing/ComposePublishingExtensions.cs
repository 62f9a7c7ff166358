using Aspire.Hosting.Pipelines;
using Conference.AppHost.Publishing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting;

public static class ComposePublishingExtensions
{
    public const string StepName = "publish-compose";

    /// <summary>
    /// Adds the <c>publish-compose</c> pipeline step, which writes the docker compose deployment for the Ampere
    /// host from this model: <c>dotnet run --project Conference.AppHost -- --operation publish --step publish-compose
    /// --output-path deploy</c>. It reads the model only: no container engine, no parameter values.
    /// </summary>
    public static IDistributedApplicationBuilder AddComposePublishing(this IDistributedApplicationBuilder builder)
    {
        builder.Pipeline.AddStep(StepName, async context =>
        {
            var outputDirectory = context.Services.GetRequiredService<IPipelineOutputService>().GetOutputDirectory();
            var files = await ComposeDeployment.CreateAsync(context.Model, context.ExecutionContext, context.CancellationToken);
            foreach (var (path, contents) in files)
            {
                var fullPath = Path.Combine(outputDirectory, path);
                Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
                await File.WriteAllTextAsync(fullPath, contents, context.CancellationToken);
            }
            context.Logger.LogInformation("Wrote {Count} deployment files to {Directory}", files.Count, outputDirectory);
        }, requiredBy: WellKnownPipelineSteps.Publish);
        return builder;
    }
}
