var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRecorderServices();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
