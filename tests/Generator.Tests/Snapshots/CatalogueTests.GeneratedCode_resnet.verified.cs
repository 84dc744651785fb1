// Generated from architectures/resnet.arch: 0 source(s)
