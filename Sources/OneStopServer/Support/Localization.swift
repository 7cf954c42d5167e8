import Foundation
import Leaf
import OneStopCore
import Vapor

/// The interface languages. Chinese is the default; English is a switch that persists in a cookie.
enum Language: String, CaseIterable, Sendable {
    case zh = "zh-CN"
    case en

    static let cookieName = "onestop_lang"
}

/// Message catalogs loaded once from `Resources/Locales/<lang>.json`: flat key → text, with
/// `{name}` slots filled from arguments.
struct MessageCatalog: Sendable {
    private let tables: [Language: [String: String]]

    init(directory: String) throws {
        var tables: [Language: [String: String]] = [:]
        for lang in Language.allCases {
            let url = URL(fileURLWithPath: directory).appendingPathComponent("\(lang.rawValue).json")
            let data = try Data(contentsOf: url)
            tables[lang] = try JSONDecoder().decode([String: String].self, from: data)
        }
        self.tables = tables
    }

    func text(_ key: String, _ lang: Language, _ args: [String: String] = [:]) -> String {
        var s = tables[lang]?[key] ?? tables[.zh]?[key] ?? key
        for (k, v) in args {
            s = s.replacingOccurrences(of: "{\(k)}", with: v)
            // English plurals: "{n|copy|copies}" reads "copy" when n is 1.
            let marker = "{\(k)|"
            while let start = s.range(of: marker), let end = s[start.upperBound...].firstIndex(of: "}") {
                let forms = s[start.upperBound..<end].split(separator: "|", omittingEmptySubsequences: false)
                let chosen = forms.count == 2 ? String(v == "1" ? forms[0] : forms[1]) : ""
                s.replaceSubrange(start.lowerBound...end, with: chosen)
            }
        }
        return s
    }

    func has(_ key: String) -> Bool { tables[.zh]?[key] != nil }

    func keys(_ lang: Language) -> Set<String> { Set(tables[lang]?.keys.map { $0 } ?? []) }

    /// "名称：必填" — a field error in the user's language. Codes are looked up as
    /// `error.<code>`; the field's label as `field.<field>`.
    func fieldMessage(_ e: OneStopCoreFieldError, _ lang: Language) -> String {
        text("error.\(e.code)", lang, ["field": fieldLabel(e.field, lang)])
    }

    /// `materials.3.name` reads 「申请材料 第3项 名称」.
    func fieldLabel(_ field: String, _ lang: Language) -> String {
        let parts = field.split(separator: ".").map(String.init)
        guard parts.count > 1, let n = Int(parts[1]) else {
            // A query parameter or a field with no label of its own is named as the API names it.
            return tables[.zh]?["field.\(field)"] == nil ? field : text("field.\(field)", lang)
        }
        var label = text("field.\(parts[0])", lang) + " " + text("field.row", lang, ["n": String(n)])
        if parts.count > 2 { label += " " + text("field.sub.\(parts[2])", lang) }
        return label
    }
}

typealias OneStopCoreFieldError = OneStopCore.FieldError

extension Application {
    private struct CatalogKey: StorageKey { typealias Value = MessageCatalog }

    var catalog: MessageCatalog {
        get {
            guard let c = storage[CatalogKey.self] else { fatalError("message catalog not loaded in configure()") }
            return c
        }
        set { storage[CatalogKey.self] = newValue }
    }
}

extension Request {
    /// Pages follow the language cookie; API clients may also say Accept-Language.
    var language: Language {
        if let c = cookies[Language.cookieName]?.string, let l = Language(rawValue: c) { return l }
        if urlPath.hasPrefix("/api/"), let accept = headers.first(name: .acceptLanguage)?.lowercased(),
            accept.hasPrefix("en")
        {
            return .en
        }
        return .zh
    }

    func t(_ key: String, _ args: [String: String] = [:]) -> String {
        application.catalog.text(key, language, args)
    }

    /// A message with one argument: `t("hall.window", "number", "5")`.
    func t(_ key: String, _ name: String, _ value: String) -> String { t(key, [name: value]) }
}

/// `#t("key")` in templates, in the request's language.
struct TranslateTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let key = ctx.parameters.first?.string else { throw Abort(.internalServerError, reason: "#t needs a message key") }
        guard let req = ctx.request else { return .string(key) }
        var args: [String: String] = [:]
        var i = 1
        while i + 1 < ctx.parameters.count {
            if let k = ctx.parameters[i].string, let v = ctx.parameters[i + 1].string { args[k] = v }
            i += 2
        }
        return .string(req.t(key, args))
    }
}
