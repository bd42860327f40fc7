// semd: the warm semantic model daemon (thin executable over SemanticDaemon).
import Foundation
import SemanticDaemon

FileHandle.standardError.write(Data("""
semd \(SemanticDaemonInfo.engineVersion): the socket server is not built yet; use `semctl` for in-process work.

""".utf8))
exit(1)
