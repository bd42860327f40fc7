import SemanticCore
print(SemanticCoreInfo.version)
