module lockstep/bench/go

go 1.19
