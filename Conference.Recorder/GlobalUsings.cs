global using Conference.Recorder.Extensions;
