var builder = DistributedApplication.CreateBuilder(args);

var postgres = builder.AddPostgres("postgres");
var conferenceDb = postgres.AddDatabase("conference");
var redis = builder.AddRedis("redis");

var api = builder.AddProject<Projects.Conference_Api>("api")
    .WithReference(conferenceDb).WaitFor(conferenceDb)
    .WithReference(redis).WaitFor(redis);

builder.AddProject<Projects.Conference_Web>("web")
    .WithReference(api).WaitFor(api);

builder.Build().Run();
