using Conference.Api.Accounts;
using Conference.Api.Mail;
using Microsoft.AspNetCore.Identity;

namespace Conference.Api.Scheduling;

static class MailAndSchedulingExtensions
{
    /// <summary>
    /// The outbox and its delivery loop (section Mail), scheduled meetings with their reminders (section Scheduling),
    /// and the mail-borne account links (password reset).
    /// </summary>
    public static void AddMailAndScheduling(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MailOptions>().BindConfiguration(MailOptions.SectionName);
        builder.Services.AddSingleton<MailDelivery>();
        builder.Services.AddHostedService(services => services.GetRequiredService<MailDelivery>());
        builder.Services.AddScoped<MailOutbox>();

        builder.Services.AddOptions<SchedulingOptions>().BindConfiguration(SchedulingOptions.SectionName);
        builder.Services.AddSingleton<PersonalLinks>();
        builder.Services.AddScoped<ScheduleMail>();
        builder.Services.AddSingleton<Reminders>();
        builder.Services.AddHostedService(services => services.GetRequiredService<Reminders>());

        // Identity's data-protection tokens (the password reset link) are good for an hour, not its default day.
        builder.Services.AddOptions<DataProtectionTokenProviderOptions>()
            .Configure<Microsoft.Extensions.Options.IOptions<MailOptions>>((tokens, mail) => tokens.TokenLifespan = mail.Value.PasswordResetLinkLifetime);
    }

    /// <summary>The scheduling, calendar feed and password reset endpoints.</summary>
    public static IEndpointRouteBuilder MapMailAndSchedulingApis(this IEndpointRouteBuilder app)
    {
        app.MapSchedulingApi();
        app.MapCalendarFeedApi();
        app.MapInvitationsApi();
        app.MapPasswordResetApi();
        return app;
    }
}
