import Testing
import Vapor

@testable import OneStopServer

@Suite("Reading the request head cheaply")
struct RequestHeadTests {
    @Test("declaresJSON says what contentType == .json says, for the forms a client sends")
    func declaresJSON() {
        let values = [
            "application/json", "application/json; charset=utf-8", "Application/JSON", " application/json ;charset=UTF-8",
            "application/json;", "application/jsonx", "application/problem+json", "text/json", "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x", "", "application/", "json",
        ]
        for value in values {
            var headers = HTTPHeaders()
            if !value.isEmpty { headers.add(name: .contentType, value: value) }
            #expect(headers.declaresJSON == (headers.contentType == .json), "\(value)")
        }
        #expect(HTTPHeaders().declaresJSON == false)
    }
}
