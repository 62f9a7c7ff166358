using Conference.Api.Mail;

namespace Conference.Api.Scheduling;

internal static class MailAndSchedulingExtensions
{
    /// <summary>The outbox and its delivery loop (section Mail), and scheduled meetings (section Scheduling).</summary>
    public static void AddMailAndScheduling(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MailOptions>().BindConfiguration(MailOptions.SectionName);
        builder.Services.AddSingleton<MailDelivery>();
        builder.Services.AddHostedService(services => services.GetRequiredService<MailDelivery>());
        builder.Services.AddScoped<MailOutbox>();
    }
}
