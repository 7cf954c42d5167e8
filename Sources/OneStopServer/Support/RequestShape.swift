import Foundation
import OneStopCore
import Vapor

/// What the OpenAPI document says of a request, enforced before the handler runs: a query value
/// of a declared integer, number or boolean parameter must be one (`limit=null`, `limit=` and
/// `offset=ten` are refused, not read as absent), and a JSON body's top-level field may be `null`
/// only where its schema allows null. Each refusal is a 422 problem listing the fields.
enum RequestShape {
    /// Whether the check reads the body: a JSON body of an operation whose document names it.
    /// The caller gathers such a body before `check` when it came in pieces.
    static func needsBody(_ req: Request, _ operation: APIOperation) -> Bool {
        operation.request != nil && req.headers.declaresJSON
    }

    static func check(_ req: Request, _ operation: APIOperation) throws {
        var errors: [FieldError] = []
        if let query = req.url.query, !operation.query.isEmpty {
            let sent = URLComponents(string: "?" + query)?.queryItems ?? []
            for p in operation.query {
                for item in sent where item.name == p.name {
                    let v = item.value ?? ""
                    let fits: Bool
                    switch p.type {
                    case "integer": fits = Int(v) != nil
                    case "number": fits = Double(v).map(\.isFinite) ?? false
                    case "boolean": fits = v == "true" || v == "false"
                    default: fits = true
                    }
                    if !fits {
                        errors.append(FieldError(p.name, "request.\(p.type)"))
                        continue
                    }
                    switch p.format {
                    case "date"?: if CivilDate(v) == nil { errors.append(FieldError(p.name, "request.date")) }
                    case "uuid"?: if UUID(uuidString: v) == nil { errors.append(FieldError(p.name, "request.uuid")) }
                    default: break
                    }
                }
            }
        }
        if let name = operation.request, req.headers.declaresJSON,
            case .object(let props)? = OpenAPISchemas.all[name]?["properties"]
        {
            // The body as the handler will read it (gathered by the caller when it came in pieces).
            // A body without the word `null` has no null field: most bodies are not parsed twice.
            guard let data = req.body.data, data.readableBytesView.firstRange(of: Self.null) != nil,
                case .object(let body)? = try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: data))
            else { return try finish(errors) }
            for (key, value) in body where value == .null {
                guard let schema = props[key], !allowsNull(schema) else { continue }
                errors.append(FieldError(key, "request.null"))
            }
        }
        try finish(errors)
    }

    private static let null = Array("null".utf8)

    private static func finish(_ errors: [FieldError]) throws {
        if !errors.isEmpty { throw ValidationFailure(errors.sorted { $0.field < $1.field }) }
    }

    static func allowsNull(_ schema: JSONValue) -> Bool {
        switch schema["type"] {
        case .string("null")?: return true
        case .array(let types)?: return types.contains(.string("null"))
        default:
            if case .array(let values)? = schema["enum"] { return values.contains(.null) }
            // A reference or a combination the check does not read is left to the decoder.
            return schema["type"] == nil
        }
    }
}
