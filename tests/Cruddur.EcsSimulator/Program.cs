using Cruddur.EcsSimulator;

var app = SimulatorHost.Build(args);
app.Run();
