import Foundation
import Logging
import OneStopServer
import Vapor

var env = try Environment.detect()
try LoggingSystem.bootstrap(from: &env)

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
