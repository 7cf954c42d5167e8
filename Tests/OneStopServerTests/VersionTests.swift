import Testing
import VaporTesting
@testable import OneStopServer
@Test func version() { #expect(!ServerVersion.value.isEmpty) }
