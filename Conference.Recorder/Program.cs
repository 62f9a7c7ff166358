using Conference.Contracts;
using Conference.Recorder.Recordings;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRecorderServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapDefaultEndpoints();
app.MapRecordingsApi();
app.MapEgressWebhooksApi();

if (string.IsNullOrEmpty(app.Configuration[InternalApiKey.ConfigurationKey]))
{
    if (app.Environment.IsDevelopment())
    {
        app.Logger.LogWarning("{Setting} is not set: in Development the recorder's internal interface answers anyone who reaches it.", InternalApiKey.ConfigurationKey);
    }
    else
    {
        app.Logger.LogError("{Setting} is not set: the recorder's internal interface refuses every call until it is.", InternalApiKey.ConfigurationKey);
    }
}

await app.MigrateRecordingsDatabaseAsync();

app.Run();
