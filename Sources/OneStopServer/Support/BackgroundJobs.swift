import Vapor

extension Application {
    /// Whether this process serves requests, and so runs the background jobs (sweeps, outbox,
    /// housekeeping, re-timing): `serve`, or no command, which is `serve`. A command such as
    /// `indicators recount`, `keys rotate` or `backup` runs alone — a sweep started beside it
    /// would change what it is reading, and outlive it (its timer then fired on a shut-down
    /// event loop). Never in tests, which run the jobs themselves.
    var runsBackgroundJobs: Bool {
        guard environment != .testing else { return false }
        let names = Set(asyncCommands.commands.keys).union(commands.commands.keys)
        let command = environment.arguments.dropFirst().first { names.contains($0) }
        return command == nil || command == "serve"
    }
}
