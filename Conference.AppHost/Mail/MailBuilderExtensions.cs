using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Conference.AppHost.Processes;

namespace Conference.AppHost.Mail;

/// <summary>
/// The SMTP server the api sends through, as its <c>Mail__*</c> settings (Conference.Api/Mail/MailOptions.cs).
/// Each value is a parameter or an endpoint of the model, never a literal written into the deployment.
/// </summary>
/// <param name="Tls">One of the api's SMTP TLS modes: <c>None</c>, <c>StartTls</c>, <c>StartTlsWhenAvailable</c>, <c>SslOnConnect</c>.</param>
public sealed record MailSettings(
    ReferenceExpression Host,
    ReferenceExpression Port,
    IResourceBuilder<ParameterResource> Tls,
    IResourceBuilder<ParameterResource> User,
    IResourceBuilder<ParameterResource> Password,
    IResourceBuilder<ParameterResource> From);

public static class MailBuilderExtensions
{
    /// <summary>The maildev release both variants run (npm package in tools/maildev, image maildev/maildev).</summary>
    internal const string MaildevVersion = "2.2.1";
    internal const string MaildevImage = "maildev/maildev";
    internal const string MaildevRegistry = "docker.io";

    /// <summary>maildev's SMTP endpoint and its web inbox.</summary>
    internal const string SmtpEndpointName = "smtp";
    internal const string InboxEndpointName = "http";

    /// <summary>
    /// Where mail goes. Publishing: the operator's SMTP server, named in <c>.env</c>. Running: an SMTP server named by
    /// <c>Parameters:mail-host</c> (and its siblings) when set, else maildev, a local SMTP server whose web inbox (linked
    /// on the dashboard) shows every mail the api sends, so invitations and reset links can be opened while developing.
    /// Null when maildev cannot run here (no node): the api then keeps its mail in the outbox.
    /// </summary>
    public static MailSettings? AddMail(this IDistributedApplicationBuilder builder, RuntimeVariant variant)
    {
        if (builder.ExecutionContext.IsPublishMode || builder.Configuration["Parameters:mail-host"] is { Length: > 0 })
        {
            return builder.ExternalMail();
        }

        // maildev accepts these and nothing else, so the api's AUTH is exercised while developing.
        var user = builder.AddParameter("mail-user", "conference");
        var password = builder.AddGeneratedSecret("mail-password");
        var tls = builder.AddParameter("mail-tls", "None"); // maildev speaks plain SMTP on this machine
        var from = builder.AddParameter("mail-from", "Conference <conference@localhost>");

        IResourceBuilder<IResourceWithEndpoints>? maildev = variant == RuntimeVariant.Containers
            ? builder.AddMaildevContainer("mail", user, password)
            : builder.AddMaildevProcess("mail", user, password);
        if (maildev is null)
        {
            return null;
        }

        var smtp = maildev.Resource.GetEndpoint(SmtpEndpointName);
        return new MailSettings(
            ReferenceExpression.Create($"{smtp.Property(EndpointProperty.Host)}"),
            ReferenceExpression.Create($"{smtp.Property(EndpointProperty.Port)}"),
            tls, user, password, from);
    }

    /// <summary>
    /// Gives the api its SMTP settings and the site's public address that links in mail point at; the api waits for a
    /// local mail server, never for an external one (an outage there only delays mail, which the outbox keeps).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithMail(this IResourceBuilder<ProjectResource> api, MailSettings? mail,
        ReferenceExpression siteUrl)
    {
        api.WithEnvironment("Mail__SiteUrl", siteUrl);
        if (mail is null)
        {
            return api;
        }
        return api
            .WithEnvironment("Mail__Host", mail.Host)
            .WithEnvironment("Mail__Port", mail.Port)
            .WithEnvironment("Mail__Tls", mail.Tls)
            .WithEnvironment("Mail__User", mail.User)
            .WithEnvironment("Mail__Password", mail.Password)
            .WithEnvironment("Mail__From", mail.From);
    }

    /// <summary>
    /// The site's public address, ending in a slash: <c>https://DOMAIN/</c> when published, else the front door (or web
    /// itself without one) as this machine's browser reaches it.
    /// </summary>
    public static ReferenceExpression SiteUrl(this IDistributedApplicationBuilder builder, StackParameters parameters,
        IResourceBuilder<IResourceWithEndpoints> web, IResourceBuilder<IResourceWithEnvironment>? frontDoor)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return ReferenceExpression.Create($"https://{parameters.Domain}/");
        }
        var site = frontDoor?.Resource is IResourceWithEndpoints caddy ? caddy.GetEndpoint("http") : web.Resource.GetEndpoint("http");
        return ReferenceExpression.Create($"{site.Property(EndpointProperty.Url)}/");
    }

    /// <summary>The operator's SMTP server; port and TLS mode default to mail submission with STARTTLS (587).</summary>
    static MailSettings ExternalMail(this IDistributedApplicationBuilder builder)
    {
        var publishing = builder.ExecutionContext.IsPublishMode;
        string Configured(string name, string productDefault) =>
            publishing ? productDefault : builder.Configuration[$"Parameters:{name}"] ?? productDefault;

        var host = builder.AddParameter("mail-host")
            .WithDescription("Your SMTP server's name, e.g. smtp.example.org (invitations, reminders and password reset go through it)");
        var port = builder.AddParameter("mail-port", Configured("mail-port", "587"), publishValueAsDefault: true)
            .WithDescription("mail-port: 587 (submission with STARTTLS), 465 (TLS from the start) or 25");
        var tls = builder.AddParameter("mail-tls", Configured("mail-tls", "StartTls"), publishValueAsDefault: true)
            .WithDescription("mail-tls: StartTls, SslOnConnect (port 465), StartTlsWhenAvailable or None");
        var user = builder.AddParameter("mail-user")
            .WithDescription("The SMTP user your mail provider gave you");
        var password = builder.AddParameter("mail-password", secret: true)
            .WithDescription("mail-password, the SMTP user's password");
        var from = builder.AddParameter("mail-from")
            .WithDescription("The sender of every mail, e.g. Conference <meet@example.org>; your provider must allow it");
        return new MailSettings(ReferenceExpression.Create($"{host}"), ReferenceExpression.Create($"{port}"), tls, user, password, from);
    }

    /// <summary>maildev's pinned image: SMTP on 1025, the web inbox on 1080.</summary>
    static IResourceBuilder<ContainerResource> AddMaildevContainer(this IDistributedApplicationBuilder builder, string name,
        IResourceBuilder<ParameterResource> user, IResourceBuilder<ParameterResource> password) =>
        builder.AddContainer(name, MaildevImage, MaildevVersion)
            .WithImageRegistry(MaildevRegistry)
            .WithEndpoint(targetPort: 1025, name: SmtpEndpointName, scheme: "tcp")
            .WithHttpEndpoint(targetPort: 1080, name: InboxEndpointName)
            .WithIncomingCredentials(user, password)
            .WithInbox();

    /// <summary>
    /// maildev from npm (pinned in tools/maildev, installed with <c>npm ci</c> on first start when test.sh has not
    /// already), run by node on loopback; unavailable, saying why, without node and npm.
    /// </summary>
    static IResourceBuilder<ExecutableResource>? AddMaildevProcess(this IDistributedApplicationBuilder builder, string name,
        IResourceBuilder<ParameterResource> user, IResourceBuilder<ParameterResource> password)
    {
        var node = LocalCommand.Find("node");
        var npm = LocalCommand.Find("npm");
        if (node is null || npm is null)
        {
            builder.AddUnavailable(name, "Maildev",
                "node and npm are not installed, so the local mail server cannot run; mail waits in the api's outbox. Set Parameters:mail-host to use an SMTP server.");
            return null;
        }

        var toolDirectory = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "tools", "maildev"));
        var maildev = builder.AddExecutable(name, node, toolDirectory, Path.Combine("node_modules", "maildev", "bin", "maildev"))
            .WithEndpoint(name: SmtpEndpointName, scheme: "tcp", env: "MAILDEV_SMTP_PORT")
            .WithHttpEndpoint(name: InboxEndpointName, env: "MAILDEV_WEB_PORT")
            .WithEnvironment("MAILDEV_IP", "127.0.0.1")
            .WithIncomingCredentials(user, password)
            .WithInbox();

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(maildev.Resource, (_, cancellationToken) =>
            InstallAsync(npm, toolDirectory, cancellationToken));
        return maildev;
    }

    /// <summary>
    /// <c>npm ci</c> when the lock file is newer than the last install (the same stamp test.sh and the web's client
    /// build use), so a fresh clone runs with one command and a prepared machine starts at once.
    /// </summary>
    static async Task InstallAsync(string npm, string toolDirectory, CancellationToken cancellationToken)
    {
        var stamp = Path.Combine(toolDirectory, "node_modules", ".install-stamp");
        var lockFile = Path.Combine(toolDirectory, "package-lock.json");
        if (File.Exists(stamp) && File.GetLastWriteTimeUtc(stamp) >= File.GetLastWriteTimeUtc(lockFile))
        {
            return;
        }
        await LocalCommand.RunAsync(npm, ["ci", "--no-audit", "--no-fund", "--ignore-scripts"], cancellationToken, workingDirectory: toolDirectory);
        await File.WriteAllTextAsync(stamp, "", cancellationToken);
    }

    /// <summary>maildev accepts mail only with this user and password (over plain SMTP: it runs on this machine only).</summary>
    static IResourceBuilder<T> WithIncomingCredentials<T>(this IResourceBuilder<T> maildev,
        IResourceBuilder<ParameterResource> user, IResourceBuilder<ParameterResource> password)
        where T : IResourceWithEnvironment =>
        maildev.WithEnvironment("MAILDEV_INCOMING_USER", user).WithEnvironment("MAILDEV_INCOMING_PASS", password);

    /// <summary>The dashboard links the web inbox by name; the resource is healthy when the inbox answers.</summary>
    static IResourceBuilder<T> WithInbox<T>(this IResourceBuilder<T> maildev) where T : IResourceWithEndpoints
    {
        // Said on the console too: sign-up, invitations and reset links are tried first, and their mail is here.
        maildev.OnResourceReady((resource, @event, _) =>
        {
            @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MailBuilderExtensions))
                .LogInformation("Mail the api sends (invitations, reminders, password resets) arrives in the inbox at {Url}",
                    resource.GetEndpoint(InboxEndpointName).Url);
            return Task.CompletedTask;
        });
        return maildev.WithUrlForEndpoint(InboxEndpointName, url => url.DisplayText = "Mail inbox")
            .WithHttpHealthCheck("/healthz", endpointName: InboxEndpointName);
    }
}
