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

await app.MigrateRecordingsDatabaseAsync();

app.Run();
