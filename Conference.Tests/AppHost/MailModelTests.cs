using Conference.Tests.Infrastructure;

namespace Conference.Tests.AppHost;

/// <summary>
/// The local mail server (maildev: SMTP in, a web inbox out) in both variants, and the api's <c>Mail__*</c> settings
/// from parameters and maildev's endpoint. The published side (the operator's SMTP server from .env) is checked on
/// the generated files by ComposeDeploymentTests.
/// </summary>
public sealed class MailModelTests(ProcessesModelFixture processes, ContainersModelFixture containers)
    : IClassFixture<ProcessesModelFixture>, IClassFixture<ContainersModelFixture>
{
    [Fact]
    public async Task Processes_run_the_pinned_maildev_from_npm_on_loopback_with_its_user_and_password_in_the_environment()
    {
        var mail = Assert.IsAssignableFrom<ExecutableResource>(processes.App.Resource("mail"));
        Assert.EndsWith("/node", mail.Command);
        Assert.Equal(Path.Combine(LocalMachine.RepositoryRoot, "tools", "maildev"), mail.WorkingDirectory);
        Assert.Equal(["node_modules/maildev/bin/maildev"], await mail.PublishedArgumentsAsync());

        var package = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(LocalMachine.RepositoryRoot, "tools/maildev/package.json")));
        Assert.Equal("2.2.1", package.RootElement.GetProperty("dependencies").GetProperty("maildev").GetString());

        var environment = await mail.PublishedEnvironmentAsync();
        Assert.Equal("127.0.0.1", environment["MAILDEV_IP"]);
        Assert.Equal("{mail-user.value}", environment["MAILDEV_INCOMING_USER"]);
        Assert.Equal("{mail-password.value}", environment["MAILDEV_INCOMING_PASS"]);
        Assert.True(((ParameterResource)processes.App.Resource("mail-password")).Secret);

        // maildev listens on the ports the model gives it: SMTP and the inbox.
        Assert.Equal("{mail.bindings.smtp.targetPort}", environment["MAILDEV_SMTP_PORT"]);
        Assert.Equal("{mail.bindings.http.targetPort}", environment["MAILDEV_WEB_PORT"]);
    }

    [Fact]
    public void Containers_run_maildev_s_image_of_the_same_version_with_smtp_and_the_inbox()
    {
        var mail = Assert.IsType<ContainerResource>(containers.App.Resource("mail"));
        var image = mail.Annotations.OfType<ContainerImageAnnotation>().Single();
        Assert.Equal(("maildev/maildev", "2.2.1", "docker.io"), (image.Image, image.Tag, image.Registry));
        var endpoints = mail.Annotations.OfType<EndpointAnnotation>().ToDictionary(e => e.Name);
        Assert.Equal(1025, endpoints["smtp"].TargetPort);
        Assert.Equal(1080, endpoints["http"].TargetPort);
    }

    [Theory]
    [InlineData("processes")]
    [InlineData("containers")]
    public async Task The_dashboard_links_the_inbox_and_the_inbox_answering_is_maildev_s_health(string variant)
    {
        var mail = (IResourceWithEndpoints)(variant == "processes" ? processes.App : containers.App).Resource("mail");
        Assert.NotEmpty(mail.Annotations.OfType<ResourceUrlsCallbackAnnotation>());
        Assert.NotEmpty(mail.Annotations.OfType<HealthCheckAnnotation>());

        // The link's display text is set by the callback; run it on the inbox's URL as the dashboard would.
        var inbox = new ResourceUrlAnnotation { Url = "http://localhost:1080", Endpoint = mail.GetEndpoint("http") };
        var context = new ResourceUrlsCallbackContext(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run),
            mail, [inbox]);
        foreach (var callback in mail.Annotations.OfType<ResourceUrlsCallbackAnnotation>())
        {
            await callback.Callback(context);
        }
        Assert.Equal("Mail inbox", inbox.DisplayText);
    }

    [Theory]
    [InlineData("processes")]
    [InlineData("containers")]
    public async Task The_api_sends_through_maildev_with_parameters_and_links_point_at_the_front_door(string variant)
    {
        var app = variant == "processes" ? processes.App : containers.App;
        var api = await app.Resource("api").PublishedEnvironmentAsync();

        Assert.Equal("{mail.bindings.smtp.host}", api["Mail__Host"]);
        Assert.Equal("{mail.bindings.smtp.port}", api["Mail__Port"]);
        Assert.Equal("{mail-tls.value}", api["Mail__Tls"]);
        Assert.Equal("{mail-user.value}", api["Mail__User"]);
        Assert.Equal("{mail-password.value}", api["Mail__Password"]);
        Assert.Equal("{mail-from.value}", api["Mail__From"]);
        Assert.Equal("{caddy.bindings.http.url}/", api["Mail__SiteUrl"]);

        // maildev speaks plain SMTP on this machine only; the api must not insist on TLS there.
        Assert.Equal("None", await ((ParameterResource)app.Resource("mail-tls")).GetValueAsync(CancellationToken.None));
    }

    [Fact]
    public async Task An_smtp_server_named_by_parameters_replaces_maildev_while_running()
    {
        await using var app = await AppModel.BuildAsync("--Conference:Runtime=Processes",
            $"--Conference:DataDirectory={Path.GetTempPath()}/conference-model-test",
            "--Parameters:mail-host=smtp.example.org", "--Parameters:mail-port=465", "--Parameters:mail-tls=SslOnConnect");

        Assert.DoesNotContain("mail", app.Resources().Select(r => r.Name));
        var api = await app.Resource("api").PublishedEnvironmentAsync();
        Assert.Equal("{mail-host.value}", api["Mail__Host"]);
        Assert.Equal("465", await ((ParameterResource)app.Resource("mail-port")).GetValueAsync(CancellationToken.None));
        Assert.Equal("SslOnConnect", await ((ParameterResource)app.Resource("mail-tls")).GetValueAsync(CancellationToken.None));
        Assert.True(((ParameterResource)app.Resource("mail-password")).Secret);
    }
}
