import Foundation
import Logging
import NIOCore
import NIOPosix
import OneStopServer
import Vapor

// Swift concurrency runs on NIO's event loops instead of a pool of its own: each database
// answer and each request then continues on the thread that has it, without a hand-over
// between thread pools (the hall benchmark spent a tenth of its time switching threads).
_ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

var env = try Environment.detect()
try LoggingSystem.bootstrap(from: &env)

// `onestop keys new FILE`: a key file for a deployment that names its own (PostgreSQL), made
// before there is any configuration to read.
let arguments = CommandLine.arguments
if arguments.count == 4, arguments[1] == "keys", arguments[2] == "new" {
    do {
        try writeNewDataKeyFile(arguments[3])
        print("New data keys written to \(arguments[3]) (readable by its owner only). Back the file up apart from the database.")
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("onestop: \(error)\n".utf8))
        exit(1)
    }
}

let settings: Settings
do {
    settings = try Settings.fromEnvironment()
} catch {
    FileHandle.standardError.write(Data("OneStop cannot start: \(error)\n".utf8))
    exit(2)
}

let app = try await Application.make(env)
do {
    try await configure(app, settings: settings)
    let command = env.arguments.dropFirst().first
    if command == nil || command == "serve" { try await prepareForServing(app) }
    try await app.execute()
} catch {
    FileHandle.standardError.write(Data("onestop: \(error)\n".utf8))
    try? await app.asyncShutdown()
    exit(1)
}
try await app.asyncShutdown()
