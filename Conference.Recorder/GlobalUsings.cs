global using Conference.Contracts;
global using Conference.Recorder.Extensions;
