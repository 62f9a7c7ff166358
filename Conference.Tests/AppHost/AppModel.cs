using Microsoft.Extensions.DependencyInjection;

namespace Conference.Tests.AppHost;

/// <summary>Builds the AppHost's model without starting anything, and reads it the way the manifest writer does.</summary>
static class AppModel
{
    public static async Task<DistributedApplication> BuildAsync(params string[] args)
    {
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Conference_AppHost>(args);
        return await appHost.BuildAsync();
    }

    public static IResource Resource(this DistributedApplication app, string name) =>
        app.Services.GetRequiredService<DistributedApplicationModel>().Resources.SingleOrDefault(r => r.Name == name)
        ?? throw new Xunit.Sdk.XunitException($"The model has no resource named '{name}'.");

    public static IEnumerable<IResource> Resources(this DistributedApplication app) =>
        app.Services.GetRequiredService<DistributedApplicationModel>().Resources;

    /// <summary>
    /// The environment as it would be published: parameters stay placeholders such as
    /// <c>{livekit-api-secret.value}</c>, so a literal secret would show up as itself.
    /// </summary>
    public static async Task<Dictionary<string, string>> PublishedEnvironmentAsync(this IResource resource)
    {
        var context = new EnvironmentCallbackContext(
            new DistributedApplicationExecutionContext(DistributedApplicationOperation.Publish), resource, new Dictionary<string, object>());
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }
        return context.EnvironmentVariables.ToDictionary(variable => variable.Key, variable => Expression(variable.Value));
    }

    public static async Task<List<string>> PublishedArgumentsAsync(this IResource resource)
    {
        var arguments = new List<object>();
        var context = new CommandLineArgsCallbackContext(arguments, resource, CancellationToken.None);
        foreach (var callback in resource.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await callback.Callback(context);
        }
        return arguments.Select(Expression).ToList();
    }

    static string Expression(object value) => value switch
    {
        string text => text,
        IManifestExpressionProvider provider => provider.ValueExpression,
        _ => value.ToString() ?? "",
    };
}
