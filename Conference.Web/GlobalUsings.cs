// What the web shows of recordings is the recorder's own vocabulary (Conference.Contracts), as the api passes it on.
global using RecordingAvailability = Conference.Contracts.RecordingAvailability;
global using RecordingStatus = Conference.Contracts.RecordingStatus;
