// What the web shows of recordings is the recorder's own vocabulary (Conference.Contracts), as the api passes it on.
global using RecordingAvailability = Conference.Contracts.RecordingAvailability;
global using RecordingStatus = Conference.Contracts.RecordingStatus;

// The meeting-change message as the api and the recorder publish it: the web reads the contract's own type.
global using MeetingChange = Conference.Contracts.MeetingChange;
global using MeetingChangeKind = Conference.Contracts.MeetingChangeKind;

// The account-change message as the api publishes it.
global using AccountChange = Conference.Contracts.AccountChange;
global using AccountChangeKind = Conference.Contracts.AccountChangeKind;
