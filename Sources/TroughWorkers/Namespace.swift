enum TroughWorkersNamespace {}
