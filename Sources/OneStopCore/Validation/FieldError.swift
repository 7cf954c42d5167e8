import Foundation

/// One invalid field of an input, with a message key for the catalog: the server turns the code
/// into the user's language, so Core never holds display text.
public struct FieldError: Error, Equatable, Sendable, Codable {
    public var field: String
    public var code: String

    public init(_ field: String, _ code: String) {
        self.field = field
        self.code = code
    }
}

/// Collects field errors while checking an input.
public struct Validator: Sendable {
    public private(set) var errors: [FieldError] = []

    public init() {}

    public mutating func add(_ field: String, _ code: String) { errors.append(FieldError(field, code)) }

    /// A required text with a length limit; returns the trimmed text.
    @discardableResult
    public mutating func text(_ field: String, _ value: String?, max: Int, required: Bool = true) -> String {
        let t = (value ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if t.isEmpty {
            if required { add(field, "required") }
        } else if t.count > max {
            add(field, "tooLong")
        } else if t.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" }) {
            add(field, "invalidCharacters")
        }
        return t
    }

    /// A code of letters, digits, `-` and `_`.
    @discardableResult
    public mutating func code(_ field: String, _ value: String?, max: Int, required: Bool = true) -> String {
        let t = text(field, value, max: max, required: required)
        if !t.isEmpty, !t.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
            add(field, "codeCharacters")
        }
        return t
    }

    public mutating func phone(_ field: String, _ value: String?, required: Bool = false) -> String? {
        let t = (value ?? "").trimmingCharacters(in: .whitespaces)
        if t.isEmpty {
            if required { add(field, "required") }
            return nil
        }
        guard let p = PhoneNumber.normalized(t) else {
            add(field, "phone")
            return nil
        }
        return p
    }

    public mutating func residentID(_ field: String, _ value: String?, required: Bool = false) -> String? {
        let t = (value ?? "").trimmingCharacters(in: .whitespaces)
        if t.isEmpty {
            if required { add(field, "required") }
            return nil
        }
        switch ResidentID.validate(t) {
        case .success(let id): return id
        case .failure(let box):
            add(field, box.problem.rawValue)
            return nil
        }
    }

    public mutating func oneOf<T: RawRepresentable>(_ field: String, _ value: String?, as type: T.Type) -> T?
    where T.RawValue == String {
        guard let v = value, !v.isEmpty else {
            add(field, "required")
            return nil
        }
        guard let t = T(rawValue: v) else {
            add(field, "invalidChoice")
            return nil
        }
        return t
    }

    public mutating func check(_ condition: Bool, _ field: String, _ code: String) {
        if !condition { add(field, code) }
    }

    public var isValid: Bool { errors.isEmpty }
}

/// Thrown when an input has invalid fields; carries all of them.
public struct ValidationFailure: Error, Sendable {
    public var errors: [FieldError]
    public init(_ errors: [FieldError]) { self.errors = errors }
}
