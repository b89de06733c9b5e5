module github.com/teamsops/teamsops

go 1.26
