global using Conference.Recorder.Extensions;
global using Conference.Recorder.Contracts;
