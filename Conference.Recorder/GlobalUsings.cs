global using Conference.Recorder.Extensions;
global using Conference.Contracts;
