return await Onshi.Cli.OnshiCommand.RunAsync(args);
